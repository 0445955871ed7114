import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { loadCatalog } from './catalog.js';
import { parseToolsetsParameter, servedOperations, toolsetNames, toolsetOf, viewKey } from './toolsets.js';

const { operations } = loadCatalog();

describe('toolsetOf', () => {
  it('groups by the document tags, a specific tag winning over Companies', () => {
    expect(toolsetOf({ tags: ['Companies'] })).toBe('account');
    expect(toolsetOf({ tags: ['Companies', 'Inventory'] })).toBe('inventory');
    expect(toolsetOf({ tags: ['Bills'] })).toBe('purchasing');
    expect(toolsetOf({ tags: ['Invoices'] })).toBe('sales');
    expect(toolsetOf({ tags: ['Assembly Orders'] })).toBe('production');
  });

  it('puts an operation with unknown tags in a toolset named after its first tag', () => {
    expect(toolsetOf({ tags: ['Tax Rates', 'Bills'] })).toBe('purchasing');
    expect(toolsetOf({ tags: ['Tax Rates'] })).toBe('tax-rates');
    expect(toolsetOf({ tags: [] })).toBe('other');
    expect(toolsetNames([{ tags: ['Tax Rates'] }, { tags: ['Reports'] }, { tags: ['Companies'] }])).toEqual([
      'account',
      'reports',
      'tax-rates',
    ]);
  });
});

describe('servedOperations (MCP_TOOLSETS)', () => {
  it('keeps the chosen toolsets and list_companies', () => {
    const served = servedOperations(operations, ['reports']);
    expect(served.map((op) => op.operationId)).toContain('listCompanies');
    expect(served.map(toolsetOf).filter((name) => name !== 'account')).toEqual(
      served.filter((op) => op.operationId !== 'listCompanies').map(() => 'reports'),
    );
    expect(served.length).toBeLessThan(operations.length);
    expect(servedOperations(operations, undefined)).toHaveLength(operations.length);
  });

  it('stops on an unknown name with every valid one', () => {
    const attempt = () => servedOperations(operations, ['reports', 'stock']);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`unknown toolset "stock"; the toolsets are ${toolsetNames(operations).join(', ')}`);
  });
});

describe('parseToolsetsParameter (?toolsets=)', () => {
  const valid = ['account', 'reports', 'inventory'];
  it('reads a comma-separated list, case-insensitively', () => {
    expect(parseToolsetsParameter('Reports, inventory', valid)).toEqual({ toolsets: ['reports', 'inventory'] });
    expect(parseToolsetsParameter(undefined, valid)).toEqual({ toolsets: undefined });
    expect(parseToolsetsParameter('all', valid)).toEqual({ toolsets: undefined });
    expect(parseToolsetsParameter('reports,inventory,reports', valid)).toEqual({ toolsets: ['reports', 'inventory'] });
  });

  it('names an unknown toolset, and a repeated parameter', () => {
    expect(parseToolsetsParameter('reports,nope', valid)).toEqual({
      problem:
        'the toolsets query parameter names an unknown toolset "nope"; the toolsets are account, reports, inventory',
    });
    expect(parseToolsetsParameter(['reports', 'inventory'], valid)).toHaveProperty('problem');
  });

  it('gives views with the same meaning the same key', () => {
    expect(viewKey({ toolsets: ['reports', 'inventory'] })).toBe(viewKey({ toolsets: ['inventory', 'reports'] }));
    expect(viewKey({ readOnly: true })).not.toBe(viewKey({}));
  });
});

describe('the configuration of toolsets, read-only and the audit', () => {
  it('reads MCP_TOOLSETS, MCP_READ_ONLY and AUDIT_LOG, with their defaults', () => {
    expect(loadConfig({})).toMatchObject({ toolsets: undefined, readOnly: false, auditLog: 'stdout' });
    expect(
      loadConfig({ MCP_TOOLSETS: 'Reports, inventory', MCP_READ_ONLY: 'true', AUDIT_LOG: '/var/log/a.log' }),
    ).toMatchObject({ toolsets: ['reports', 'inventory'], readOnly: true, auditLog: '/var/log/a.log' });
    expect(loadConfig({ MCP_TOOLSETS: 'reports,all' }).toolsets).toBeUndefined();
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ MCP_TOOLSETS: 'reports,bills!' })).toThrow(
      'MCP_TOOLSETS must be comma-separated toolset names, got "bills!"',
    );
    expect(() => loadConfig({ MCP_READ_ONLY: 'maybe' })).toThrow('MCP_READ_ONLY must be true or false, got "maybe"');
  });
});
