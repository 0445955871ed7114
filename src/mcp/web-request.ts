import type { IncomingMessage, ServerResponse } from 'node:http';

/** The URL and the init of the web `Request` for a Node request: method and headers, no body. */
function requestParts(req: IncomingMessage): [string, RequestInit] {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = typeof req.headers.host === 'string' && req.headers.host !== '' ? req.headers.host : 'localhost';
  return [`http://${host}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers }];
}

/**
 * The web `Request` the SDK's HTTP handlers take, made from a Node request whose body was already
 * parsed: method, URL and headers only. Every caller hands the SDK the parsed body (`parsedBody`), which
 * the SDK then uses instead of reading the request, so copying the body into the `Request` again
 * (what `toWebRequest` does) was pure cost: a re-serialization and a body stream per call.
 */
export function webRequestOf(req: IncomingMessage): Request {
  return new Request(...requestParts(req));
}

/**
 * A `Request` whose `signal` aborts when the client goes away before its answer is complete. In the
 * 2026-07-28 revision, closing the response is how a client cancels a request over HTTP (the server
 * MUST treat a disconnect as cancellation): the SDK's per-request transport, which listens to
 * `request.signal`, then closes the exchange, and that aborts the tool call and its NeonPanel request
 * instead of letting them run to their timeout.
 *
 * The signal is made when the SDK first asks for it. Handing one to the `Request` constructor instead
 * cost 60–100 µs per request under load (undici follows it with a controller of its own, registered for
 * finalization: about 20 µs in the constructor, the rest in garbage collection).
 */
class DisconnectAwareRequest extends Request {
  readonly response: ServerResponse;
  disconnect: AbortSignal | undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    super(...requestParts(req));
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
export function cancellableWebRequestOf(req: IncomingMessage, res: ServerResponse): Request {
  return new DisconnectAwareRequest(req, res);
}
