import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { SessionCancellations, isCancellation } from './cancellations.js';

const cancelled = (requestId: string | number) => ({
  jsonrpc: '2.0' as const,
  method: 'notifications/cancelled' as const,
  params: { requestId },
});

/** Two instances' registries on one bus, as two bridges on one Redis. */
function twoInstances() {
  const { bus } = createMemoryStore({ logger: silentLogger() });
  return [0, 1].map(() => new SessionCancellations({ bus, logger: silentLogger() })) as [
    SessionCancellations,
    SessionCancellations,
  ];
}

/** Waits for the bus, which delivers after the publisher goes on. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('isCancellation', () => {
  it('takes a notifications/cancelled naming a string or number request id, nothing else', () => {
    expect(isCancellation(cancelled(3))).toBe(true);
    expect(isCancellation(cancelled('a'))).toBe(true);
    expect(isCancellation({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} })).toBe(false);
    expect(isCancellation({ ...cancelled(3), id: 1 })).toBe(false);
    expect(isCancellation({ jsonrpc: '2.0', method: 'notifications/progress', params: { requestId: 3 } })).toBe(false);
    expect(isCancellation(null)).toBe(false);
  });
});

describe('SessionCancellations', () => {
  it('hands a cancellation to the call on the instance that runs it, and to no other call', async () => {
    const [a, b] = twoInstances();
    const seen: string[] = [];
    a.track('s1', 7, () => seen.push('s1/7'));
    a.track('s1', '7', () => seen.push('s1/"7"'));
    a.track('s2', 7, () => seen.push('s2/7'));
    await b.cancel('s1', cancelled(7));
    await settled();
    expect(seen).toEqual(['s1/7']);
    await a.cancel('s1', cancelled('7'));
    expect(seen).toEqual(['s1/7', 's1/"7"']);
    await Promise.all([a.close(), b.close()]);
  });

  it('forgets an answered call, and a stale forget leaves a newer call of the same id alone', async () => {
    const [a, b] = twoInstances();
    const seen: string[] = [];
    const forgetOld = a.track('s1', 1, () => seen.push('old'));
    forgetOld();
    const forgetNew = a.track('s1', 1, () => seen.push('new'));
    forgetOld();
    await b.cancel('s1', cancelled(1));
    await settled();
    expect(seen).toEqual(['new']);
    forgetNew();
    await b.cancel('s1', cancelled(1));
    await settled();
    expect(seen).toEqual(['new']);
    await Promise.all([a.close(), b.close()]);
  });

  it('ignores bus messages that are not cancellations it published', async () => {
    const { bus } = createMemoryStore({ logger: silentLogger() });
    const a = new SessionCancellations({ bus, logger: silentLogger() });
    const seen: unknown[] = [];
    a.track('s1', 1, (notification) => seen.push(notification));
    for (const raw of ['not json', '{"session":1}', JSON.stringify({ session: 's1', notification: { method: 'x' } })]) {
      await bus.publish('mcp.cancelled', raw);
    }
    await settled();
    expect(seen).toEqual([]);
    await a.close();
  });
});
