import { ProtocolError } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../tools/catalog.js';
import { toolNameFor } from '../tools/names.js';
import { getPrompt, promptsListResult, WORKFLOW_PROMPTS } from './index.js';

/** The tool names a prompt's text puts in backticks. */
function namedTools(text: string): string[] {
  return [...text.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!);
}

/** Arguments that satisfy every prompt. */
const ARGS: Record<string, string> = {
  companyUuid: 'c-1',
  month: '2026-02',
  dueBy: '2026-12-31',
  link: 'https://x.test/a.pdf',
};

function argsOf(name: string): Record<string, string> {
  const prompt = WORKFLOW_PROMPTS.find((p) => p.name === name)!;
  return Object.fromEntries(prompt.arguments.map((a) => [a.name, ARGS[a.name]!]));
}

function refusal(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a protocol error');
}

describe('workflow prompts', () => {
  it('lists the four workflows with their arguments and tools', () => {
    const { prompts } = promptsListResult();
    expect(prompts.map((p) => p.name)).toEqual([
      'month_end_review',
      'reorder_check',
      'unpaid_bills',
      'import_document',
    ]);
    const review = prompts[0]!;
    expect(review.arguments).toContainEqual(expect.objectContaining({ name: 'month', required: true }));
    expect(review.description).toContain('revenue_and_cogs_summary');
  });

  it.each(WORKFLOW_PROMPTS.map((p) => p.name))(
    '%s: the text names the tools the prompt declares, and no other',
    (name) => {
      const prompt = WORKFLOW_PROMPTS.find((p) => p.name === name)!;
      const required = Object.fromEntries(
        prompt.arguments.filter((a) => a.required).map((a) => [a.name, ARGS[a.name]!]),
      );
      // With every argument and with the required ones only: the two variants of the text between them.
      const named = [argsOf(name), required].flatMap((args) =>
        namedTools(getPrompt(name, args).messages[0]!.content.text),
      );
      expect(new Set(named)).toEqual(new Set(prompt.tools));
    },
  );

  it('names only tools the catalog has (a renamed operation breaks the prompt, not silently the model)', () => {
    const served = new Set([...loadCatalog().operations.map((op) => toolNameFor(op.operationId)), 'search', 'fetch']);
    const missing = WORKFLOW_PROMPTS.flatMap((p) =>
      p.tools.filter((tool) => !served.has(tool)).map((t) => `${p.name}: ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('month_end_review covers the whole month asked for', () => {
    const text = getPrompt('month_end_review', { month: '2026-02' }).messages[0]!.content.text;
    expect(text).toContain('start_date 2026-02-01, end_date 2026-02-28');
    expect(text).toContain('list_companies');
  });

  it('a given company is used instead of asking', () => {
    const text = getPrompt('reorder_check', { companyUuid: 'c-77' }).messages[0]!.content.text;
    expect(text).toContain('c-77');
    expect(text).not.toContain('`list_companies`');
  });

  it('refuses an unknown prompt, a missing or malformed argument and an unknown one, naming it', () => {
    expect(refusal(() => getPrompt('nope', {})).message).toContain('Unknown prompt "nope"');
    expect(refusal(() => getPrompt('month_end_review', {})).message).toContain('needs the argument month');
    expect(refusal(() => getPrompt('month_end_review', { month: '2026-13' })).message).toContain('YYYY-MM');
    expect(refusal(() => getPrompt('import_document', { link: 'http://x' })).message).toContain('https://');
    expect(refusal(() => getPrompt('unpaid_bills', { vendor: 'x' })).message).toContain('unknown: vendor');
    expect(refusal(() => getPrompt('nope', {})).code).toBe(-32602);
  });
});
