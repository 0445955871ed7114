import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The web `Request` the SDK's HTTP handlers take, made from a Node request whose body was already
 * parsed: method, URL and headers only. Every caller hands the SDK the parsed body (`parsedBody`), which
 * the SDK then uses instead of reading the request, so copying the body into the `Request` again
 * (what `toWebRequest` does) was pure cost: a re-serialization and a body stream per call.
 * `signal` becomes the request's own (`request.signal`), which the SDK's per-request transport watches.
 */
export function webRequestOf(req: IncomingMessage, signal?: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = typeof req.headers.host === 'string' && req.headers.host !== '' ? req.headers.host : 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, signal });
}

/**
 * A signal that aborts when the client goes away before its answer is complete. In the 2026-07-28
 * revision, closing the response is how a client cancels a request over HTTP (the server MUST treat a
 * disconnect as cancellation): the SDK's per-request transport then closes the exchange, which aborts
 * the tool call and its NeonPanel request instead of letting them run to their timeout.
 */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
