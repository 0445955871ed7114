import { describe, expect, it } from 'vitest';
import { selectProfiles } from '../profiles.js';
import { answerBytes, judgeBudget, widestArguments } from './budget.js';

const claudeCode = selectProfiles(['claude-code'])[0]!;

describe('widestArguments', () => {
  const tool = {
    name: 'list_inventory_items',
    inputSchema: {
      type: 'object',
      properties: { companyUuid: { type: 'string' }, per_page: { type: 'integer', maximum: 60 }, page: {} },
      required: ['companyUuid'],
    },
  };

  it('fills known required arguments and the largest page size', () => {
    expect(widestArguments(tool, { companyUuid: 'c1' })).toEqual({ args: { companyUuid: 'c1', per_page: 60 } });
  });

  it('names required arguments nothing supplies', () => {
    expect(widestArguments(tool, {})).toEqual({ missing: ['companyUuid'] });
  });
});

describe('judgeBudget', () => {
  it('passes answers under the limit and names the largest', () => {
    const result = judgeBudget(
      claudeCode,
      [
        { tool: 'list_a', bytes: 4000 },
        { tool: 'list_b', bytes: 40_000 },
      ],
      [],
    );
    expect(result).toMatchObject({ status: 'pass', detail: expect.stringContaining('largest list_b ≈ 10000 tokens') });
  });

  it('warns about answers over 25k tokens (bytes / 4) with the fix', () => {
    const result = judgeBudget(claudeCode, [{ tool: 'list_big', bytes: 100_004 }], ['list_x (needs id)']);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('list_big ≈ 25001 tokens over 25000. Not called: list_x (needs id).');
    expect(result.fix).toContain('Paginate or truncate list_big');
  });

  it('skips when nothing could be called', () => {
    expect(judgeBudget(claudeCode, [], []).status).toBe('skip');
  });
});

describe('answerBytes', () => {
  it('counts the UTF-8 bytes of text items only', () => {
    expect(
      answerBytes({
        content: [
          { type: 'text', text: 'é' },
          { type: 'image', data: 'xxxx' },
        ],
      }),
    ).toBe(2);
  });
});
