/**
 * HTTP probing for the doctor: one request with a short timeout, never throwing, and the curl
 * command that replays it (with the token replaced by `$TOKEN`).
 */
import type { DoctorContext } from './types.js';

export interface ProbeRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialised when it is not a string. */
  body?: unknown;
  /** Adds `Authorization: Bearer <token>` from the context. */
  withToken?: boolean;
  /** Follow redirects (default: no, so a 302 is visible). */
  follow?: boolean;
  /** Only the status and headers matter: the body is not read (an idle SSE stream would wait for the timeout). */
  headersOnly?: boolean;
}

export type ProbeResponse =
  | {
      ok: true;
      status: number;
      headers: Headers;
      text: string;
      /** The body parsed as JSON when the content type says JSON and it parses. */
      json: unknown;
      curl: string;
    }
  | {
      ok: false;
      error: string;
      /** The server answered, but its certificate or the TLS handshake was refused. */
      tlsRefused: boolean;
      curl: string;
    };

/** Shell-quotes one argument for the curl line. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The curl command equivalent to a probe. The token itself never appears. */
export function curlFor(request: ProbeRequest): string {
  const parts = ['curl', '-sS', '-i'];
  const method = request.method ?? 'GET';
  if (method !== 'GET') parts.push('-X', method);
  for (const [name, value] of Object.entries(request.headers ?? {})) parts.push('-H', quote(`${name}: ${value}`));
  if (request.withToken) parts.push('-H', '"Authorization: Bearer $TOKEN"');
  if (request.body !== undefined) parts.push('--data', quote(bodyText(request.body)));
  parts.push(quote(request.url));
  return parts.join(' ');
}

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The error code of a fetch failure (on its `cause`) or of a socket error (on the error itself). */
function codeOf(error: unknown): string | undefined {
  const err = error as { code?: string; cause?: { code?: string } };
  return err.cause?.code ?? err.code;
}

/** Whether a failure code is TLS refusing the server (its certificate or the handshake). */
function isTlsCode(code: string | undefined): boolean {
  return code?.startsWith('ERR_TLS') === true || code?.includes('CERT') === true;
}

/**
 * Turns a fetch failure (code on its `cause`) or a socket error (code on the error) into words a person
 * can act on (connection refused, timeout, DNS).
 */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = codeOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused (nothing is listening there)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset';
  if (isTlsCode(code)) return `TLS error (${code})`;
  return err.cause?.message ?? err.message ?? String(error);
}

/** Sends one request with the context's timeout. Never throws. */
export async function probe(ctx: DoctorContext, request: ProbeRequest): Promise<ProbeResponse> {
  const curl = curlFor(request);
  const headers: Record<string, string> = { ...request.headers };
  if (request.withToken && ctx.token) headers['Authorization'] = `Bearer ${ctx.token}`;
  if (request.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  try {
    const response = await ctx.fetch(request.url, {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? undefined : bodyText(request.body),
      redirect: request.follow ? 'follow' : 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const type = response.headers.get('content-type') ?? '';
    if (request.headersOnly) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, status: response.status, headers: response.headers, text: '', json: undefined, curl };
    }
    // An SSE stream never ends by itself: read only its first event.
    const text = type.includes('text/event-stream')
      ? ((await readSseEvent(response, undefined, ctx.timeoutMs))?.raw ?? '')
      : await response.text();
    let json: unknown;
    if (type.includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { ok: true, status: response.status, headers: response.headers, text, json, curl };
  } catch (error) {
    return { ok: false, error: describeNetworkError(error, ctx.timeoutMs), tlsRefused: isTlsCode(codeOf(error)), curl };
  }
}

export interface SseEvent {
  event: string;
  data: string;
  raw: string;
}

/**
 * Reads a `text/event-stream` body until the first event named `eventName` (any event when undefined),
 * then cancels the stream. Undefined when the stream ends or the time runs out first.
 */
export async function readSseEvent(
  response: Response,
  eventName: string | undefined,
  timeoutMs: number,
): Promise<SseEvent | undefined> {
  const body = response.body;
  if (!body) return undefined;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), timeoutMs);
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseSseBlock(block);
        if (event && (eventName === undefined || event.event === eventName)) return event;
        end = buffer.indexOf('\n\n');
      }
    }
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
}

function parseSseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && event === 'message') return undefined;
  return { event, data: data.join('\n'), raw: block };
}

/** A JSON object, or undefined for anything else. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A short excerpt of a body for a detail line. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Compares two JSON values regardless of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const oa = asObject(a);
  const ob = asObject(b);
  if (oa && ob) {
    const keys = new Set([...Object.keys(oa), ...Object.keys(ob)]);
    return [...keys].every((k) => sameJson(oa[k], ob[k]));
  }
  return a === b;
}

/** The text of a tool result's first content item, or '' when it has none. */
export function firstText(answer: { content?: unknown }): string {
  const first = Array.isArray(answer.content) ? asObject(answer.content[0]) : undefined;
  return typeof first?.['text'] === 'string' ? first['text'] : '';
}
