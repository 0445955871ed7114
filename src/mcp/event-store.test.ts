import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { createSessionEventStore, deleteSessionEvents } from './event-store.js';

const message = (method: string): JSONRPCMessage => ({ jsonrpc: '2.0', method });

describe('createSessionEventStore', () => {
  const store = createMemoryStore({ logger: silentLogger() });
  const alice = createSessionEventStore(store.events, 'sessionA', 60);
  const bob = createSessionEventStore(store.events, 'sessionB', 60);

  async function replay(events: typeof alice, after: string) {
    const sent: unknown[] = [];
    const streamId = await events.replayEventsAfter(after, { send: async (_id, m) => void sent.push(m) });
    return { streamId, sent };
  }

  it('replays the events after an id, in order, on the same stream', async () => {
    const first = await alice.storeEvent('_GET_stream', message('one'));
    await alice.storeEvent('_GET_stream', message('two'));
    await alice.storeEvent('_GET_stream', message('three'));
    expect(await replay(alice, first)).toEqual({
      streamId: '_GET_stream',
      sent: [message('two'), message('three')],
    });
  });

  it('replays only the stream the id belongs to, though the session keeps all its streams together', async () => {
    const primingA = await alice.storeEvent('post-a', {} as JSONRPCMessage);
    const primingB = await alice.storeEvent('post-b', {} as JSONRPCMessage);
    await alice.storeEvent('post-b', message('answer-b'));
    await alice.storeEvent('post-a', message('answer-a'));
    expect(await alice.getStreamIdForEventId?.(primingB)).toBe('post-b');
    expect(await replay(alice, primingA)).toEqual({ streamId: 'post-a', sent: [message('answer-a')] });
    expect(await replay(alice, primingB)).toEqual({ streamId: 'post-b', sent: [message('answer-b')] });
  });

  it('never replays one session into another, though the SDK names both GET streams alike', async () => {
    const aliceEvent = await alice.storeEvent('_GET_stream', message('secret'));
    expect(await bob.getStreamIdForEventId?.(aliceEvent)).toBeUndefined();
    await expect(bob.replayEventsAfter(aliceEvent, { send: async () => undefined })).rejects.toThrow(/unknown/);
  });

  it('treats ids it never issued as unknown', async () => {
    expect(await alice.getStreamIdForEventId?.('../../etc/passwd')).toBeUndefined();
  });

  it('forgets every event of a deleted session, and only of that session', async () => {
    const aliceEvent = await alice.storeEvent('_GET_stream', message('gone'));
    const bobEvent = await bob.storeEvent('_GET_stream', message('kept'));
    await deleteSessionEvents(store.events, 'sessionA');
    expect(await alice.getStreamIdForEventId?.(aliceEvent)).toBeUndefined();
    expect(await bob.getStreamIdForEventId?.(bobEvent)).toBe('_GET_stream');
  });
});
