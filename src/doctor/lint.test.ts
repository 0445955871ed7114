import { describe, expect, it } from 'vitest';
import { lintTools } from './lint.js';
import { selectProfiles } from './profiles.js';
import type { DoctorTool } from './types.js';

const good: DoctorTool = {
  name: 'list_companies',
  title: 'List companies',
  inputSchema: { type: 'object', properties: { page: { type: 'integer' } } },
  annotations: {
    title: 'List companies',
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
};

const rulesOf = (id: string) => selectProfiles([id])[0]!.toolRules;

describe('lintTools', () => {
  it('finds nothing wrong with a well-formed tool for any client', () => {
    for (const profile of selectProfiles(['all'])) expect(lintTools([good], profile.toolRules, 500)).toEqual([]);
  });

  it('fails a dotted name for ChatGPT and suggests a valid one', () => {
    const [problem] = lintTools([{ ...good, name: 'companies.list' }], rulesOf('chatgpt'), 500);
    expect(problem).toMatchObject({ rule: 'tool-name', severity: 'fail', tool: 'companies.list' });
    expect(problem!.fix).toContain('"companies_list"');
  });

  it('fails a top-level anyOf for Claude, naming the tool', () => {
    const tool = { ...good, name: 'search', inputSchema: { anyOf: [{ type: 'object' }, { type: 'object' }] } };
    const problems = lintTools([tool], rulesOf('claude'), 500);
    expect(problems.map((p) => p.rule)).toContain('no-top-level-combinators');
    expect(problems.find((p) => p.rule === 'no-top-level-combinators')!.fix).toMatch(/top-level anyOf in "search"/);
  });

  it('flags $defs, unions and untyped properties for Gemini', () => {
    const tool: DoctorTool = {
      ...good,
      inputSchema: {
        type: 'object',
        $defs: { x: { type: 'string' } },
        properties: { a: { $ref: '#/$defs/x' }, b: { type: ['string', 'null'] }, c: {} },
      },
    };
    const rules = lintTools([tool], rulesOf('gemini'), 500).map((p) => p.rule);
    expect(rules).toEqual(expect.arrayContaining(['no-refs', 'no-unions', 'typed-properties']));
  });

  it('warns about missing annotations and counts tools and bytes', () => {
    const bare: DoctorTool = { name: 'x', inputSchema: { type: 'object' } };
    expect(lintTools([bare], rulesOf('chatgpt'), 10)[0]).toMatchObject({ rule: 'annotations', severity: 'warn' });
    const many = Array.from({ length: 130 }, (_, i) => ({ ...good, name: `t${i}` }));
    expect(lintTools(many, rulesOf('vscode'), 10).some((p) => p.rule === 'max-tools')).toBe(true);
    expect(lintTools([good], [{ rule: 'max-list-bytes', max: 100, severity: 'warn', source: 's' }], 101)).toHaveLength(
      1,
    );
  });
});
