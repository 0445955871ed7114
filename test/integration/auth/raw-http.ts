/**
 * A request through node:http, for what fetch cannot send: two `Authorization` header lines, or a
 * foreign `Host` header.
 */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * `headers` is a flat [name, value, name, value…] list so a name may repeat. Node adds no `Host`
 * to a list, so it is added from the URL unless the list has one.
 */
export function rawRequest(url: string, method: string, headers: string[], body?: string): Promise<RawResponse> {
  const hasHost = headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'host');
  const withHost = hasHost ? headers : ['Host', new URL(url).host, ...headers];
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: withHost, timeout: 5_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}
