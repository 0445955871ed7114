/** The doctor's MCP Apps lint against the real bridge, with views on and off. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkApps } from '../../../src/doctor/checks/apps.js';
import { newContext } from '../../../src/doctor/run.js';
import { type Stack, startStack } from '../../helpers/stack.js';

describe.each([
  { apps: 'true', detail: /^3 views for 7 tools, each listed, readable/ },
  { apps: 'false', detail: /^no tool names a view/ },
])('doctor apps lint with MCP_APPS=$apps', ({ apps, detail }) => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ env: { MCP_APPS: apps } });
    token = await stack.tokenFor('alice');
  });
  afterAll(() => stack?.close());

  it('passes each client that renders views, and judges no other client', async () => {
    const ctx = newContext({
      url: `${stack.url}/mcp`,
      token,
      clients: ['chatgpt', 'claude', 'vscode', 'cursor', 'gemini'],
    });
    const results = await checkApps(ctx);
    expect(results.map((r) => r.id)).toEqual([
      'apps.lint.chatgpt',
      'apps.lint.claude',
      'apps.lint.vscode',
      'apps.lint.cursor',
    ]);
    for (const result of results) {
      expect(result.status, result.detail).toBe('pass');
      expect(result.detail).toMatch(detail);
    }
  });
});
