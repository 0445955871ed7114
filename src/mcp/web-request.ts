import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The URL of the web `Request`: the bridge's public origin (MCP_PUBLIC_URL) and the request's path.
 * Never the `Host` header: on a non-loopback bind any `Host` gets this far (`Host: a b` made the URL
 * constructor throw, a 500), and the SDK reads only the path. A target that is not a plain path
 * (absolute-form) keeps its path alone.
 */
function urlOf(req: IncomingMessage, origin: string): string {
  const target = req.url ?? '/';
  if (target.startsWith('/')) return `${origin}${target}`;
  return `${origin}${URL.canParse(target) ? new URL(target).pathname : '/'}`;
}

/** The URL and the init of the web `Request` for a Node request: method and headers, no body. */
function requestParts(req: IncomingMessage, origin: string): [string, RequestInit] {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return [urlOf(req, origin), { method: req.method ?? 'GET', headers }];
}

/**
 * The web `Request` the SDK's HTTP handlers take, made from a Node request whose body was already
 * parsed: method, URL and headers only. Every caller hands the SDK the parsed body (`parsedBody`), which
 * the SDK then uses instead of reading the request, so copying the body into the `Request` again
 * (what `toWebRequest` does) was pure cost: a re-serialization and a body stream per call.
 */
export function webRequestOf(req: IncomingMessage, origin: string): Request {
  return new Request(...requestParts(req, origin));
}

/**
 * A `Request` whose `signal` aborts when the client goes away before its answer is complete. In the
 * 2026-07-28 revision, closing the response is how a client cancels a request over HTTP (the server
 * MUST treat a disconnect as cancellation): the SDK's per-request transport, which listens to
 * `request.signal`, then closes the exchange, and that aborts the tool call and its NeonPanel request
 * instead of letting them run to their timeout.
 *
 * The signal is made when the SDK first asks for it. Handing one to the `Request` constructor instead
 * costs every request undici's own controller, registered for finalization, and the garbage collection
 * that follows (measured in bench/findings.md).
 */
class DisconnectAwareRequest extends Request {
  readonly response: ServerResponse;
  disconnect: AbortSignal | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, origin: string) {
    super(...requestParts(req, origin));
    this.response = res;
  }
}

/** Aborts `controller` unless `res` was answered in full. */
function abortUnlessAnswered(res: ServerResponse, controller: AbortController): void {
  if (!res.writableFinished) controller.abort();
}

// `signal` is an accessor of `Request.prototype`; TypeScript types it as a field, so it cannot be overridden in the class body.
Object.defineProperty(DisconnectAwareRequest.prototype, 'signal', {
  get(this: DisconnectAwareRequest): AbortSignal {
    if (this.disconnect) return this.disconnect;
    const res = this.response;
    const controller = new AbortController();
    this.disconnect = controller.signal;
    if (res.destroyed) abortUnlessAnswered(res, controller);
    else res.once('close', () => abortUnlessAnswered(res, controller));
    return this.disconnect;
  },
});

/** The web `Request` of `webRequestOf`, with a `signal` that aborts when the client leaves before its answer. */
export function cancellableWebRequestOf(req: IncomingMessage, res: ServerResponse, origin: string): Request {
  return new DisconnectAwareRequest(req, res, origin);
}
