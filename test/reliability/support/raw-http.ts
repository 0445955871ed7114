import { connect } from 'node:net';

/** An HTTP response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What became of a raw request: a response, or the server closed the socket without one. */
export type RawOutcome =
  | { kind: 'response'; response: RawResponse; ms: number }
  | { kind: 'closed'; ms: number }
  | { kind: 'timeout'; ms: number };

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses the first response in `data` (the server may close right after it). */
export function parseRawResponse(data: Buffer): RawResponse | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine?.split(' ')[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(headEnd + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = decodeChunked(body);
  else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

export interface RawSendOptions {
  /** Give up (and count a hang) after this long. */
  timeoutMs: number;
  /** Send the bytes in pieces of this size, waiting `trickleDelayMs` between pieces (a slow client). */
  trickleBytes?: number;
  trickleDelayMs?: number;
}

/**
 * Writes `raw` (a whole HTTP/1.1 request, bytes exactly as given: CRLF in a path, oversized headers,
 * anything) to a new connection and reads until the server closes it or the timeout passes.
 * Requests should carry `Connection: close` so the server ends the exchange.
 */
export function sendRaw(origin: string, raw: Buffer | string, options: RawSendOptions): Promise<RawOutcome> {
  const { hostname, port } = new URL(origin);
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let finished = false;
    let trickleTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: RawOutcome) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(trickleTimer);
      socket.destroy();
      resolve(outcome);
    };
    const settle = () => {
      const response = parseRawResponse(Buffer.concat(chunks));
      const ms = performance.now() - started;
      finish(response ? { kind: 'response', response, ms } : { kind: 'closed', ms });
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', ms: performance.now() - started }), options.timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', settle);
    socket.on('close', settle);
    socket.on('error', settle);
    socket.on('connect', () => {
      const step = options.trickleBytes;
      if (!step) {
        socket.write(bytes);
        return;
      }
      let at = 0;
      const writeNext = () => {
        if (finished || socket.destroyed) return;
        socket.write(bytes.subarray(at, at + step));
        at += step;
        if (at < bytes.length) trickleTimer = setTimeout(writeNext, options.trickleDelayMs ?? 100);
      };
      writeNext();
    });
  });
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** Parses complete events out of an SSE text buffer; returns them and the unparsed rest. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length > 0 || event !== 'message') events.push({ event, data: data.join('\n'), id });
  }
  return { events, rest };
}

/** A raw SSE stream kept open while a test runs, collecting every event. */
export interface SseStream {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Resolves with the first event matching `predicate` (already received or still to come). */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** True once the server ended the stream. */
  ended: boolean;
  close(): void;
}

/** Opens `GET url` with `headers` and reads it as an event stream until closed. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const waiters: { predicate: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void }[] = [];
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    events: [],
    ended: false,
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = stream.events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching SSE event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
    close: () => controller.abort(),
  };
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    stream.ended = true;
    await response.body?.cancel().catch(() => undefined);
    return stream;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseSse(buffer + value);
        buffer = parsed.rest;
        for (const event of parsed.events) {
          stream.events.push(event);
          for (const waiter of waiters.filter((w) => w.predicate(event))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      }
    } catch {
      // Aborted by close() or dropped by the server: either way the stream is over.
    }
    stream.ended = true;
  })();
  return stream;
}
