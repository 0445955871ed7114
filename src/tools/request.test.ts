import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../test/helpers/caller.js';
import { loadConfig } from '../config/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createToolset, type Toolset } from './index.js';

// NeonPanel's edge is closed: a call that reached it would fail as an upstream error, not as invalid arguments.
const agent = new MockAgent();
agent.disableNetConnect();
let toolset: Toolset;
const ctx = { caller: testCaller({ token: 't', sub: 'alice', requestId: 'r' }), logger: silentLogger() };
const WAREHOUSE = '3f0b8c1e-7d2a-4b5c-9e8f-1a2b3c4d5e6f';

function textOf(result: { content: unknown[] } | undefined): string {
  return (result?.content[0] as { text?: string } | undefined)?.text ?? '';
}

beforeAll(async () => {
  const config = loadConfig({ NEONPANEL_API_URL: 'https://api.neonpanel.test' });
  toolset = await createToolset({ config, logger: silentLogger(), metrics: createMetrics(), dispatcher: agent });
});
afterAll(() => agent.close());

describe('path arguments', () => {
  it.each(['.', '..', ''])('refuses %j as an id before anything is sent, naming the argument', async (value) => {
    const result = await toolset.get('warehouse_balances')?.call({ companyUuid: value, warehouseUuid: WAREHOUSE }, ctx);
    expect(result?.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain(`"companyUuid" must be an id, got ${JSON.stringify(value)}`);
    expect(text).toContain('Nothing was sent to NeonPanel');
  });

  it('names every unusable path argument at once', async () => {
    const result = await toolset.get('warehouse_balances')?.call({ companyUuid: '..', warehouseUuid: '.' }, ctx);
    const text = textOf(result);
    expect(text).toMatch(/"companyUuid" must be an id.*"warehouseUuid" must be an id/);
  });
});
