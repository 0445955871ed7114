import type { FetchLike } from '@modelcontextprotocol/client';
import { type Config, loadConfig } from '../../../src/config/index.js';

/** Configuration of one bridge instance of the scale test: sandbox as issuer and API, shared Redis. */
export function instanceConfig(issuer: string, redisUrl: string, extra: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: 'http://127.0.0.1',
    NEONPANEL_ISSUER: issuer,
    NEONPANEL_API_URL: issuer,
    REDIS_URL: redisUrl,
    // SCALE_LOG=warn shows the instances' logs when a scenario fails.
    LOG_LEVEL: process.env['SCALE_LOG'] ?? 'silent',
    MCP_SHUTDOWN_GRACE_SECONDS: '1',
    ...extra,
  });
}

/**
 * A load balancer without sticky sessions, as a fetch for MCP clients: each request goes to the
 * origin `pick` chooses (the path and query stay as the client built them).
 */
export function balancedFetch(pick: (method: string, url: URL) => string): FetchLike {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const target = new URL(pick(init?.method ?? 'GET', url));
    url.protocol = target.protocol;
    url.host = target.host;
    return fetch(url, init);
  };
}

export interface SseEvent {
  id?: string;
  data: string;
}

/**
 * Reads SSE events from a response body until `stop` says enough or the stream ends.
 * Comments (keep-alives) are skipped.
 */
export async function readSseEvents(
  response: Response,
  stop: (events: SseEvent[]) => boolean = () => false,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (!response.body) return events;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const event: SseEvent = { data: '' };
        let hasField = false;
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) event.id = line.slice(3).trim();
          else if (line.startsWith('data:')) event.data += line.slice(5).trimStart();
          else continue;
          hasField = true;
        }
        if (!hasField) continue;
        events.push(event);
        if (stop(events)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The JSON-RPC messages carried by SSE events (the empty priming event is skipped). */
export function messagesOf(events: SseEvent[]): Record<string, unknown>[] {
  return events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);
}
