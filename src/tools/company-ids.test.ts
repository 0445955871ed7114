import { MockAgent } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { testCaller } from '../../test/helpers/caller.js';
import { loadConfig } from '../config/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createUpstreamClient } from '../upstream/index.js';
import { loadCatalog } from './catalog.js';
import { createCompanyIdResolver } from './company-ids.js';
import { createOperationInvoker } from './invoker.js';
import type { ToolContext } from './types.js';

// Only NeonPanel's network edge is faked: the resolver's cache is what is under test.
const agent = new MockAgent();
agent.disableNetConnect();
afterAll(() => agent.close());

const config = loadConfig({ NEONPANEL_API_URL: 'https://api.neonpanel.test' });
const upstream = createUpstreamClient({ config, metrics: createMetrics(), logger: silentLogger(), dispatcher: agent });
const invoker = createOperationInvoker(loadCatalog().operations, upstream);
const ctx = (sub: string): ToolContext => ({
  caller: testCaller({ token: 't', sub, requestId: 'r' }),
  logger: silentLogger(),
});

it('looks a caller’s companies up once a minute, per caller', async () => {
  let calls = 0;
  agent
    .get('https://api.neonpanel.test')
    .intercept({ path: (path) => path.startsWith('/api/v1/companies?'), method: 'GET' })
    .reply(() => {
      calls++;
      return {
        statusCode: 200,
        data: { current_page: 1, last_page: 1, data: [{ id: 100, uuid: 'uuid-100', name: 'A' }] },
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    })
    .persist();
  let now = 1_000_000;
  const resolver = createCompanyIdResolver({ config }, invoker, () => now);

  expect(await resolver.resolve('list_bills', { companyUuid: 100 }, ctx('alice'))).toEqual({
    args: { companyUuid: 'uuid-100' },
  });
  expect(await resolver.resolve('list_bills', { company_uuids: ['100', 'uuid-7'] }, ctx('alice'))).toEqual({
    args: { company_uuids: ['uuid-100', 'uuid-7'] },
  });
  expect(calls).toBe(1);
  await resolver.resolve('list_bills', { companyUuid: '100' }, ctx('bob'));
  expect(calls).toBe(2);
  now += 61_000;
  await resolver.resolve('list_bills', { companyUuid: 100 }, ctx('alice'));
  expect(calls).toBe(3);

  // A uuid is passed through untouched, without a lookup.
  expect(await resolver.resolve('list_bills', { companyUuid: 'uuid-100' }, ctx('carol'))).toEqual({
    args: { companyUuid: 'uuid-100' },
  });
  expect(calls).toBe(3);

  const unknown = await resolver.resolve('list_bills', { companyUuid: 7 }, ctx('alice'));
  expect('error' in unknown && unknown.error.isError).toBe(true);
  expect(JSON.stringify(unknown)).toMatch(/companyUuid takes a company's uuid.*7 is not the id.*list_companies/);
});
