/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** An open SSE response read event by event (comments such as keep-alives are counted, not returned). */
export interface SseReader {
  status: number;
  headers: Headers;
  /** The next event; rejects after `timeoutMs` or when the stream ends first. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** Keep-alive comment lines seen so far. */
  comments(): number;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Parses complete SSE blocks out of `buffer`; returns the events and what is left. */
function parseBlocks(buffer: string, onComment: () => void): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const event: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    let hasField = false;
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) {
        onComment();
        continue;
      }
      const at = line.indexOf(':');
      const field = at === -1 ? line : line.slice(0, at);
      const value = at === -1 ? '' : line.slice(at + 1).replace(/^ /, '');
      hasField = true;
      if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') event.id = value;
    }
    event.data = data.join('\n');
    if (hasField) events.push(event);
  }
  return { events, rest };
}

/** Opens an SSE request (GET by default) with fetch and reads it incrementally. */
export async function openSse(url: string, init: RequestInit = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const queue: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let comments = 0;
  let done = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        const parsed = parseBlocks(buffer, () => comments++);
        buffer = parsed.rest;
        queue.push(...parsed.events);
        wake();
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      wake();
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    comments: () => comments,
    ended,
    close: () => controller.abort(),
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (done) throw new Error('the SSE stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
  };
}

/** Every event of `stream` until the server ends it (or no event comes within `eventTimeoutMs`). */
export async function eventsUntilEnd(stream: SseReader, eventTimeoutMs = 10_000): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const ended = stream.ended.then(() => 'ended' as const);
  for (;;) {
    const next = await Promise.race([stream.next(eventTimeoutMs).catch(() => undefined), ended]);
    if (next === 'ended' || next === undefined) return events;
    events.push(next);
  }
}
