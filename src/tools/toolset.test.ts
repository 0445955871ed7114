import { MockAgent } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { testCaller } from '../../test/helpers/caller.js';
import { loadConfig } from '../config/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createToolset } from './index.js';

// Only NeonPanel's network edge is faked here: an answer the real sandbox never gives.
const agent = new MockAgent();
agent.disableNetConnect();
afterAll(() => agent.close());

it('returns an answer that drifted from the document anyway, and counts the drift', async () => {
  const metrics = createMetrics();
  const config = loadConfig({ NEONPANEL_API_URL: 'https://api.neonpanel.test' });
  const toolset = await createToolset({ config, logger: silentLogger(), metrics, dispatcher: agent });
  const drifted = { current_page: '1', data: 'not a list' };
  agent
    .get('https://api.neonpanel.test')
    .intercept({ path: '/api/v1/companies', method: 'GET' })
    .reply(200, drifted, { headers: { 'content-type': 'application/json' } });
  const result = await toolset.get('list_companies')?.call(
    {},
    {
      caller: testCaller({ token: 't', sub: 'alice', requestId: 'r' }),
      logger: silentLogger(),
    },
  );
  expect(result?.isError).toBeFalsy();
  expect(result?.structuredContent).toEqual(drifted);
  expect(await metrics.registry.getSingleMetricAsString('neonpanel_mcp_schema_drift_total')).toContain(
    'neonpanel_mcp_schema_drift_total{operation="listCompanies"} 1',
  );
});
