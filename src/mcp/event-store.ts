import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { EventLog } from '../state/types.js';

/**
 * The SDK's resumability `EventStore` for one Streamable HTTP session, over the shared `Store.events`
 * log, so a client can resume with `Last-Event-ID` on any instance.
 *
 * The SDK names every session's standalone GET stream `_GET_stream`; stream ids are therefore
 * prefixed with the session id, and a `Last-Event-ID` from another session is treated as unknown
 * (nothing of one session can be replayed into another).
 */
export function createSessionEventStore(events: EventLog, sessionId: string, ttlSeconds: number): EventStore {
  const prefix = `mcp.${sessionId}.`;

  /** The stream and its later events, or undefined when the id is unknown or belongs to another session. */
  async function read(lastEventId: string) {
    const found = await events.readAfter(lastEventId);
    if (!found?.streamId.startsWith(prefix)) return undefined;
    return { streamId: found.streamId.slice(prefix.length), events: found.events };
  }

  return {
    storeEvent: (streamId: string, message: JSONRPCMessage) =>
      events.append(prefix + streamId, JSON.stringify(message), ttlSeconds),
    getStreamIdForEventId: async (eventId: string) => (await read(eventId))?.streamId,
    async replayEventsAfter(lastEventId, { send }) {
      const found = await read(lastEventId);
      if (!found) throw new Error('unknown event id');
      for (const event of found.events) {
        await send(event.id, JSON.parse(event.message) as JSONRPCMessage);
      }
      return found.streamId;
    },
  };
}
