import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { createSessionEventStore } from './event-store.js';

describe('createSessionEventStore', () => {
  const store = createMemoryStore({ logger: silentLogger() });
  const alice = createSessionEventStore(store.events, 'sessionA', 60);
  const bob = createSessionEventStore(store.events, 'sessionB', 60);

  it('replays the events after an id, in order, on the same stream', async () => {
    const first = await alice.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'one' });
    await alice.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'two' });
    await alice.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'three' });
    const sent: unknown[] = [];
    const streamId = await alice.replayEventsAfter(first, { send: async (_id, message) => void sent.push(message) });
    expect(streamId).toBe('_GET_stream');
    expect(sent).toEqual([
      { jsonrpc: '2.0', method: 'two' },
      { jsonrpc: '2.0', method: 'three' },
    ]);
  });

  it('never replays one session into another, though the SDK names both GET streams alike', async () => {
    const aliceEvent = await alice.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'secret' });
    expect(await bob.getStreamIdForEventId?.(aliceEvent)).toBeUndefined();
    await expect(bob.replayEventsAfter(aliceEvent, { send: async () => undefined })).rejects.toThrow(/unknown/);
  });

  it('treats ids it never issued as unknown', async () => {
    expect(await alice.getStreamIdForEventId?.('../../etc/passwd')).toBeUndefined();
  });
});
