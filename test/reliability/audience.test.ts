/**
 * The default audience policy (issue 25, finding 7): with MCP_AUDIENCE unset, a token minted for
 * another service (its `aud` names neither the bridge, nor the issuer, nor the NeonPanel API, or is not
 * a string at all) is refused with 401 `invalid_token` before any tool runs; a token without `aud`, or
 * naming one of the bridge's resources, the issuer or the API, still works. The start-up log says which
 * policy is in force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMcp } from '../helpers/mcp-post.js';
import { PUBLIC_URL } from './support/bridge-process.js';
import { recordFigures } from './support/figures.js';
import { type Stack, startStack } from './support/stack.js';

const CALL = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_companies', arguments: {} } };

describe('default audience policy', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** A 2025-era stateless tools/call with a token carrying `aud` (or none); the status and the answer text. */
  async function callWith(aud: unknown): Promise<{ status: number; text: string; challenge: string }> {
    const token = await stack.token('alice', aud === undefined ? {} : { extraClaims: { aud } });
    const response = await postMcp(`${stack.bridge.url}/mcp`, token, JSON.stringify(CALL), {
      'MCP-Protocol-Version': '2025-06-18',
    });
    return {
      status: response.status,
      text: await response.text(),
      challenge: response.headers.get('www-authenticate') ?? '',
    };
  }

  it('refuses tokens minted for another service and serves the bridge’s own', async () => {
    const foreign: unknown[] = ['https://evil.example/api', 5, ['https://evil', 'x'], [`${PUBLIC_URL}/mcp`, 7]];
    const own: unknown[] = [undefined, `${PUBLIC_URL}/mcp`, `${PUBLIC_URL}/mcp/readonly`, stack.sandbox.issuer];
    const refused: Record<string, number> = {};
    const served: Record<string, number> = {};
    for (const aud of foreign) {
      const answer = await callWith(aud);
      refused[String(JSON.stringify(aud))] = answer.status;
      expect(answer.status, JSON.stringify(aud)).toBe(401);
      expect(answer.challenge).toMatch(/error="invalid_token"/);
      expect(answer.text).not.toMatch(/"result"/);
    }
    for (const aud of own) {
      const answer = await callWith(aud);
      served[String(JSON.stringify(aud) ?? 'none')] = answer.status;
      expect(answer.status, String(aud)).toBe(200);
      expect(answer.text).toMatch(/"result"/);
      expect(answer.text).not.toContain('"isError":true');
    }
    const policyLines = stack.bridge.stdout.filter((line) => line.includes('"audiencePolicy":"default'));
    recordFigures('audience', { refused, served, startupLogNamesPolicy: policyLines.length === 1 });
    expect(policyLines).toHaveLength(1);
    expect(await stack.scanForLeaks()).toEqual([]);
  });
});
