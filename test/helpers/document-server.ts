/**
 * A loopback web server for documents a test puts on the web: OAuth client ID metadata documents, a client's
 * JWK Set. Each path answers as told (status, headers, body, a delay), and every request is counted.
 * Plain http, or https with a key pair from test/helpers/certs.ts.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { KeyPair } from './certs.js';
import { closeServer, listen } from './loopback.js';

/** How one path answers. */
export interface DocumentAnswer {
  /** Default 200. */
  status?: number;
  /** Default `content-type: application/json`. */
  headers?: Record<string, string>;
  /** A string as is; anything else as JSON. */
  body?: unknown;
  /** Waits this long before answering. */
  delayMs?: number;
}

export interface DocumentServer {
  /** `http://127.0.0.1:<port>`, or `https://localhost:<port>` with TLS. */
  url: string;
  /** Makes `path` answer with `answer`; returns the document's absolute URL. */
  serve(path: string, answer: DocumentAnswer): string;
  /** How many requests `path` has had. */
  requests(path: string): number;
  close(): Promise<void>;
}

export async function startDocumentServer(tls?: KeyPair): Promise<DocumentServer> {
  const answers = new Map<string, DocumentAnswer>();
  const counts = new Map<string, number>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const answer = answers.get(path);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(body);
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
    else send();
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  const base = await listen(server);
  // The certificates of test/helpers/certs.ts name localhost.
  const url = tls ? base.replace('http://127.0.0.1', 'https://localhost') : base;
  return {
    url,
    serve(path, answer) {
      answers.set(path, answer);
      return `${url}${path}`;
    },
    requests: (path) => counts.get(path) ?? 0,
    close: () => closeServer(server),
  };
}
