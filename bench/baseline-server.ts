/**
 * The pass-through baseline: the least a server can do to answer `tools/call list_companies` over
 * HTTP with a checked bearer token. It verifies each distinct token once (jose, RS256 against the
 * issuer's JWKS, kept in memory), forwards GET /api/v1/companies with the caller's token on a pooled
 * undici client and wraps the answer in a JSON-RPC envelope. No MCP SDK, no logging, no metrics:
 * it is the floor this machine allows, and the bridge is judged as a ratio to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Pool } from 'undici';

export interface BaselineOptions {
  issuer: string;
  jwksUri: string;
  /** Base URL of the NeonPanel API (the sandbox). */
  apiUrl: string;
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
}

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

/** Distinct tokens remembered; the benchmark uses a handful, this only bounds memory. */
const TOKEN_CACHE_MAX = 10_000;

/** Starts the baseline on 127.0.0.1 and resolves once it listens. */
export async function startBaseline(options: BaselineOptions): Promise<Baseline> {
  const keys = createRemoteJWKSet(new URL(options.jwksUri));
  const upstream = new Pool(options.apiUrl, { connections: 128 });
  const validUntil = new Map<string, number>();

  async function authorize(header: string | undefined): Promise<boolean> {
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) return false;
    const expiry = validUntil.get(token);
    if (expiry !== undefined && expiry > Date.now()) return true;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: options.issuer, algorithms: ['RS256'] });
      if (validUntil.size >= TOKEN_CACHE_MAX) validUntil.clear();
      validUntil.set(token, (payload.exp ?? 0) * 1000);
      return true;
    } catch {
      return false;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!(await authorize(req.headers.authorization))) {
      reply(res, 401, { error: 'invalid_token' });
      return;
    }
    let request: { id?: unknown; method?: unknown; params?: { name?: unknown } };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      reply(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    const id = request.id ?? null;
    if (request.method !== 'tools/call' || request.params?.name !== 'list_companies') {
      reply(res, 200, { jsonrpc: '2.0', id, error: { code: -32601, message: 'only tools/call list_companies' } });
      return;
    }
    const answer = await upstream.request({
      method: 'GET',
      path: '/api/v1/companies',
      headers: { authorization: req.headers.authorization!, accept: 'application/json' },
    });
    const text = await answer.body.text();
    reply(res, 200, {
      jsonrpc: '2.0',
      id,
      result: { content: [{ type: 'text', text }], isError: answer.statusCode >= 400 },
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 502, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
