import type { Dispatcher } from 'undici';
import { parseSseBlock, type SseEvent } from './protocol.js';

const EVENT_SEPARATOR = /\r?\n\r?\n/;

/** An open `text/event-stream` response read event by event. */
export interface SseStream {
  /** Resolves with the first event named `name` (the legacy transport's `endpoint` event). */
  first(name: string): Promise<SseEvent>;
  /** Called for every `message` event after the stream opened. */
  onMessage: (data: string) => void;
  close(): void;
}

/**
 * Opens a GET stream on `dispatcher` and parses it incrementally. Fails when the status is not 200,
 * so a refused stream (401, 503 at the stream limit) is reported instead of waited on.
 */
export async function openSseStream(
  dispatcher: Dispatcher,
  path: string,
  headers: Record<string, string>,
): Promise<SseStream> {
  const controller = new AbortController();
  const response = await dispatcher.request({
    method: 'GET',
    path,
    headers: { ...headers, accept: 'text/event-stream' },
    signal: controller.signal,
    bodyTimeout: 0,
  });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`GET ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  const waiting = new Map<string, (event: SseEvent) => void>();
  const seen = new Map<string, SseEvent>();
  let buffer = '';
  const stream: SseStream = {
    onMessage: () => {},
    first(name) {
      const event = seen.get(name);
      if (event) return Promise.resolve(event);
      return new Promise((resolve) => waiting.set(name, resolve));
    },
    close() {
      controller.abort();
    },
  };
  response.body.setEncoding('utf8');
  response.body.on('data', (chunk: string) => {
    buffer += chunk;
    let match = EVENT_SEPARATOR.exec(buffer);
    while (match) {
      const event = parseSseBlock(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
      if (event) dispatch(event);
      match = EVENT_SEPARATOR.exec(buffer);
    }
  });
  // An aborted or dropped stream only ends the benchmark run that owns it; errors surface as timeouts there.
  response.body.on('error', () => {});

  function dispatch(event: SseEvent) {
    if (event.event === 'message') {
      stream.onMessage(event.data);
      return;
    }
    if (!seen.has(event.event)) seen.set(event.event, event);
    waiting.get(event.event)?.(event);
    waiting.delete(event.event);
  }
  return stream;
}
