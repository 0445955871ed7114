import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { openapiCheck } from '../../../scripts/openapi-check.js';
import { BUNDLED_API_DOCUMENT, packageRoot } from '../../../src/openapi/index.js';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'openapi-check-'));
const bundled = readFileSync(join(root, BUNDLED_API_DOCUMENT), 'utf8');
/** NeonPanel API 1.0 (OpenAPI 3.0, YAML, 13 operations), which the bridge was built from before 1.2. */
const API_1_0 = join(root, 'test/fixtures/neonpanel-api-1.0.openapi.yaml');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Doc = { paths: Record<string, Record<string, { parameters?: Array<Record<string, unknown>> }>> };

/** Writes a variant of the bundled document, changed by `edit`, and returns its path (YAML or JSON). */
function variant(name: string, edit: (doc: Doc) => void, format: 'json' | 'yaml' = 'json'): string {
  const doc = JSON.parse(bundled) as Doc;
  edit(doc);
  const path = join(dir, `${name}.${format}`);
  writeFileSync(path, format === 'json' ? JSON.stringify(doc) : YAML.stringify(doc));
  return path;
}

function param(doc: Doc, path: string, name: string): Record<string, unknown> {
  const found = doc.paths[path]?.['get']?.parameters?.find((p) => p['name'] === name);
  if (!found) throw new Error(`no ${name} on ${path}`);
  return found;
}

async function check(file: string, base?: string): Promise<{ code: number; out: string }> {
  const { code, report } = await openapiCheck(file, base);
  return { code, out: report };
}

describe('npm run openapi:check', () => {
  it('reports a new enum value and an optional parameter as non-breaking', async () => {
    const file = variant(
      'additive',
      (doc) => {
        const periodicity = param(doc, '/api/v1/revenue-and-cogs', 'periodicity');
        (periodicity['schema'] as { enum: string[] }).enum.push('weekly');
        doc.paths['/api/v1/companies']?.['get']?.parameters?.push({
          name: 'search',
          in: 'query',
          schema: { type: 'string' },
        });
      },
      'yaml',
    );
    const { code, out } = await check(file);
    expect(out).toMatch(
      /revenue_and_cogs_summary:\n\s+change\s+enum-value-added: "periodicity" accepts new value "weekly"/,
    );
    expect(out).toMatch(/list_companies:\n\s+change\s+parameter-added: "search" was added/);
    expect(out).toContain('list_reports: unchanged');
    expect(out).toContain('get_bill: unchanged');
    expect(code).toBe(0);
  });

  it('fails on a renamed parameter, a new required field and a removed tool', async () => {
    const file = variant('breaking', (doc) => {
      param(doc, '/api/v1/revenue-and-cogs', 'start_date')['name'] = 'from_date';
      param(doc, '/api/v1/companies/{companyUuid}/warehouses', 'search')['required'] = true;
      delete doc.paths['/api/v1/reports'];
    });
    const { code, out } = await check(file);
    expect(out).toMatch(/revenue_and_cogs_summary:\n\s+BREAKING parameter-renamed: "start_date" is now "from_date"/);
    expect(out).toMatch(/list_warehouses:\n\s+BREAKING parameter-now-required: "search" is now required/);
    expect(out).toMatch(/list_reports:\n\s+BREAKING tool-removed/);
    expect(code).toBe(1);
  });

  it('names a new operation the overlay does not describe yet, and fails on it', async () => {
    const file = variant('new-operation', (doc) => {
      doc.paths['/api/v1/companies/{companyUuid}/customers'] = {
        get: {
          operationId: 'customers.list',
          parameters: [{ name: 'companyUuid', in: 'path', required: true, schema: { type: 'string' } }],
        } as Record<string, unknown>,
      };
    });
    const { code, out } = await check(file);
    expect(out).toMatch(/list_customers:\n\s+change\s+tool-added/);
    expect(out).toContain('src/tools/overlay.yaml gives customers.list no title and no description');
    expect(code).toBe(1);
  });

  it('from API 1.0 to 1.2: the new tools, and inventory_details gone for inventory_balances', async () => {
    const { code, out } = await check(join(root, BUNDLED_API_DOCUMENT), API_1_0);
    expect(out).toMatch(/Comparing .*neonpanel-api-1\.0\.openapi\.yaml \(version 1\.0\.1, OpenAPI 3\.0\)/);
    expect(out).toMatch(/inventory_details:\n\s+BREAKING tool-removed/);
    for (const tool of ['inventory_balances', 'list_bills', 'get_bill', 'create_inventory_order', 'get_report']) {
      expect(out).toMatch(new RegExp(`\\n${tool}:\\n\\s+change\\s+tool-added`));
    }
    expect(out).toContain('list_companies: unchanged');
    expect(code).toBe(1);
  });

  it('from the bundled 1.2 back to 1.0: every 1.2 tool removed, and the overlay entries 1.0 lacks', async () => {
    const { code, out } = await check(API_1_0);
    expect(out).toMatch(/list_bills:\n\s+BREAKING tool-removed/);
    expect(out).toMatch(/inventory_balances:\n\s+BREAKING tool-removed/);
    expect(out).toMatch(/inventory_details:\n\s+change\s+tool-added/);
    expect(out).toContain('src/tools/overlay.yaml gives inventoryDetails no title and no description');
    expect(code).toBe(1);
  });

  it('exits non-zero from the command line on a breaking change', async () => {
    const file = variant('removed-tool', (doc) => {
      delete doc.paths['/api/v1/reports'];
    });
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/openapi-check.ts', file], {
      cwd: root,
    });
    await expect(run).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('BREAKING tool-removed') });
  });

  it('refuses a document that is not usable, naming the problem', async () => {
    const file = variant('duplicate-id', (doc) => {
      const op = doc.paths['/api/v1/reports']?.['get'] as Record<string, unknown>;
      op['operationId'] = 'listCompanies';
    });
    const { code, out } = await check(file);
    expect(out).toContain('operationId "listCompanies" is used by both');
    expect(code).toBe(2);
  });
});
