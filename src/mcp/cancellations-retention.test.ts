import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { SessionCancellations } from './cancellations.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
const oldSpaceUsed = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;

describe('SessionCancellations and garbage', () => {
  it('lets an ended call go with the young generation, however the registry churns', () => {
    const registry = new SessionCancellations({
      bus: createMemoryStore({ logger: silentLogger() }).bus,
      logger: silentLogger(),
    });
    // The registry lives as long as the bridge: its map is in the old generation, as in production.
    registry.track('warm', 0, () => {})();
    gc();
    gc();
    const before = oldSpaceUsed();
    const running: Array<() => void> = [];
    // 10,000 calls of about 8 KB each (80 MB in all), 64 in flight at a time, as a session under load.
    for (let id = 0; id < 10_000; id++) {
      const exchange = new Array<number>(1000).fill(id);
      running.push(registry.track('session', id, () => exchange.length));
      if (running.length > 64) running.shift()?.();
    }
    for (const untrack of running.splice(0)) untrack();
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    // Promoted by two young collections only if something still reached the ended calls. Holding the cancel
    // functions themselves in the map, the old space grew by about 38 MB here; with them cleared, by about 2.
    expect((oldSpaceUsed() - before) / 1024 / 1024).toBeLessThan(8);
  });
});
