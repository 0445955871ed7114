import type { EventStore, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { EventLog } from '../state/types.js';

/** The one log holding every SSE stream of a session, so the session's events expire, are capped and deleted together. */
function sessionLogId(sessionId: string): string {
  return `mcp.${sessionId}`;
}

/** SDK stream ids are UUIDs or `_GET_stream`; none contains a newline, so the first one ends the stream id. */
const STREAM_SEPARATOR = '\n';

function splitEntry(entry: string): { streamId: string; message: string } {
  const at = entry.indexOf(STREAM_SEPARATOR);
  return { streamId: entry.slice(0, at), message: entry.slice(at + 1) };
}

/**
 * The SDK's resumability `EventStore` for one Streamable HTTP session, over the shared `Store.events`
 * log, so a client can resume with `Last-Event-ID` on any instance.
 *
 * All SSE streams of the session (one per POST, plus the GET stream) share one log, each entry tagged
 * with its SDK stream id: the log's cap and `ttlSeconds` (the resumption window) bound what a session
 * keeps, and `deleteSessionEvents` drops it all when the session ends. A `Last-Event-ID` from another
 * session is treated as unknown (nothing of one session can be replayed into another), and a replay
 * sends only the events of the stream the id belongs to.
 *
 * A class: every session POST builds one, and most are answered as JSON without using it, so it is one
 * object with its methods on the prototype rather than a closure per method per request.
 */
class SessionEventStore implements EventStore {
  private readonly logId: string;

  constructor(
    private readonly events: EventLog,
    sessionId: string,
    private readonly ttlSeconds: number,
  ) {
    this.logId = sessionLogId(sessionId);
  }

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    return this.events.append(this.logId, `${streamId}${STREAM_SEPARATOR}${JSON.stringify(message)}`, this.ttlSeconds);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return (await this.read(eventId))?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const found = await this.read(lastEventId);
    if (!found) throw new Error('unknown event id');
    for (const event of found.events) {
      await send(event.id, JSON.parse(event.message) as JSONRPCMessage);
    }
    return found.streamId;
  }

  /** The stream of `lastEventId` and its later events, or undefined when the id is unknown or belongs to another session. */
  private async read(lastEventId: string) {
    const found = await this.events.readAfter(lastEventId);
    if (found?.streamId !== this.logId) return undefined;
    const { streamId } = splitEntry(found.message);
    const later = found.events.flatMap((event) => {
      const entry = splitEntry(event.message);
      return entry.streamId === streamId ? [{ id: event.id, message: entry.message }] : [];
    });
    return { streamId, events: later };
  }
}

/** The event store of one session (see `SessionEventStore`). */
export function createSessionEventStore(events: EventLog, sessionId: string, ttlSeconds: number): EventStore {
  return new SessionEventStore(events, sessionId, ttlSeconds);
}

/** Drops every stored event of a session (on DELETE): nothing it streamed can be replayed afterwards. */
export function deleteSessionEvents(events: EventLog, sessionId: string): Promise<void> {
  return events.delete(sessionLogId(sessionId));
}
