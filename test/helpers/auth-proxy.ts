import { once } from 'node:events';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy that adds a header to every request, for clients that cannot send one. */
export interface HeaderProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` (same path and query) with `headers` added, streaming bodies
 * both ways, so SSE passes through. Used to give a bearer token to tools that have no header option
 * (the MCP conformance suite).
 */
export async function startHeaderProxy(target: string, headers: Record<string, string>): Promise<HeaderProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // The client's Host goes through unchanged: the bridge's DNS-rebinding guard must see it.
        headers: { ...req.headers, ...headers },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
