import type { IncomingMessage } from 'node:http';

/**
 * The web `Request` the SDK's HTTP handlers take, made from a Node request whose body was already
 * parsed: method, URL and headers only. Every caller hands the SDK the parsed body (`parsedBody`), which
 * the SDK then uses instead of reading the request, so copying the body into the `Request` again
 * (what `toWebRequest` does) was pure cost: a re-serialization and a body stream per call.
 */
export function webRequestOf(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = typeof req.headers.host === 'string' && req.headers.host !== '' ? req.headers.host : 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers });
}
