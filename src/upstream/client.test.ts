import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../test/helpers/caller.js';
import { closeServer } from '../../test/helpers/loopback.js';
import { createLogger, type Logger, silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createUpstreamClient } from './client.js';
import { MAX_RESPONSE_BYTES } from './exchange.js';
import type { UpstreamCallContext, UpstreamRequest } from './types.js';

// A stand-in for NeonPanel on loopback: each path answers one way. Requests it holds are answered never.
const seen: IncomingMessage[] = [];
const held: ServerResponse[] = [];
let server: Server;
let apiUrl: string;

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req);
  req.resume();
  switch (req.url) {
    case '/api/v1/companies':
      res.writeHead(200, [
        ['content-type', 'application/json'],
        ['x-tag', 'a'],
        ['x-tag', 'b'],
      ]);
      // "é" split between two chunks: the body must be decoded whole, not chunk by chunk.
      res.write(Buffer.from('{"name":"Caf\xc3', 'latin1'));
      res.end(Buffer.from('\xa9"}', 'latin1'));
      return;
    case '/api/v1/huge': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent <= MAX_RESPONSE_BYTES && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    case '/api/v1/unavailable':
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"down"}');
      return;
    case '/api/v1/reset':
      req.socket.destroy();
      return;
    default:
      held.push(res);
  }
}

beforeAll(async () => {
  server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(() => closeServer(server));

function clientFor(options: { timeoutMs?: number; logger?: Logger; dispatcher?: Pool } = {}) {
  return createUpstreamClient({
    config: { apiUrl, upstreamTimeoutMs: options.timeoutMs ?? 5_000, maxConcurrentUpstreamPerUser: 16 },
    metrics: createMetrics(),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
}

const read = (path: string): UpstreamRequest => ({ operationId: 'op', method: 'GET', path, retryable: true });

function ctxOf(overrides: Partial<UpstreamCallContext> = {}): UpstreamCallContext {
  return {
    caller: testCaller({ token: 'tok', sub: 'alice', requestId: 'mcp-1' }),
    logger: silentLogger(),
    ...overrides,
  };
}

describe('upstream client', () => {
  it('sends the token and a fresh X-Request-Id per call, and reads the whole answer', async () => {
    const client = clientFor();
    const first = await client.send(read('/companies'), ctxOf());
    const second = await client.send(read('/companies'), ctxOf());
    await client.close();
    expect(first).toMatchObject({ ok: true, status: 200, body: { name: 'Café' } });
    expect(first.ok && first.headers['x-tag']).toBe('a, b');
    const [a, b] = seen.slice(-2);
    expect(a?.headers.authorization).toBe('Bearer tok');
    expect(a?.headers['x-request-id']).toBe(first.requestId);
    expect(b?.headers['x-request-id']).toBe(second.requestId);
    expect(first.requestId).not.toBe(second.requestId);
  });

  it('refuses an answer larger than 32 MiB', async () => {
    const client = clientFor();
    const outcome = await client.send(read('/huge'), ctxOf());
    await client.close();
    expect(outcome).toMatchObject({ ok: false, kind: 'unexpected', attempts: 1 });
  });

  it('gives up at the deadline, also for a request still waiting for a connection', async () => {
    // One connection: the second call waits behind the first, which NeonPanel never answers.
    const pool = new Pool(new URL(apiUrl).origin, { connections: 1, pipelining: 1 });
    const client = clientFor({ timeoutMs: 300, dispatcher: pool });
    const write: UpstreamRequest = { operationId: 'op', method: 'POST', path: '/hang', retryable: false };
    const outcomes = await Promise.all([client.send(write, ctxOf()), client.send(read('/hang'), ctxOf())]);
    await pool.destroy();
    expect(outcomes[0]).toMatchObject({ ok: false, kind: 'timeout', attempts: 1, maybeApplied: true });
    expect(outcomes[1]).toMatchObject({ ok: false, kind: 'timeout', attempts: 1, maybeApplied: false });
  });

  it('never sends a write twice: a 503 or a reset reaches NeonPanel once, where a read is retried', async () => {
    const client = clientFor();
    const sentTo = (path: string) => seen.filter((req) => req.url === `/api/v1${path}`).length;
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      for (const path of ['/unavailable', '/reset']) {
        const before = sentTo(path);
        const outcome = await client.send({ operationId: 'op', method, path, retryable: false }, ctxOf());
        expect(outcome, `${method} ${path}`).toMatchObject({ ok: false, attempts: 1 });
        expect(sentTo(path) - before, `${method} ${path}`).toBe(1);
      }
    }
    const before = sentTo('/unavailable');
    await client.send(read('/unavailable'), ctxOf());
    await client.close();
    expect(sentTo('/unavailable') - before).toBeGreaterThan(1);
  });

  it('stops when the caller cancels, before or during the call', async () => {
    const client = clientFor();
    const before = await client.send(read('/hang'), ctxOf({ signal: AbortSignal.abort() }));
    const controller = new AbortController();
    const during = client.send(read('/hang'), ctxOf({ signal: controller.signal }));
    const count = seen.length;
    await expect.poll(() => seen.length).toBe(count + 1);
    controller.abort();
    const outcome = await during;
    await client.close();
    expect(before).toMatchObject({ ok: false, kind: 'cancelled' });
    expect(outcome).toMatchObject({ ok: false, kind: 'cancelled', attempts: 1 });
  });

  it("logs a call that went well only at debug, without building the call's logger at info", async () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    let built = 0;
    // As the MCP layer passes it: the call's logger is built when first read.
    const lazyCtx = (logger: Logger): UpstreamCallContext => ({
      caller: testCaller({ token: 'tok', sub: 'alice', requestId: 'mcp-1' }),
      get logger() {
        built++;
        return logger;
      },
    });
    const info = createLogger({ level: 'info', destination });
    const quiet = clientFor({ logger: info });
    expect(await quiet.send(read('/companies'), lazyCtx(info))).toMatchObject({ ok: true });
    await quiet.close();
    expect(built).toBe(0);
    expect(lines).toEqual([]);

    const debug = createLogger({ level: 'debug', destination });
    const verbose = clientFor({ logger: debug });
    const outcome = await verbose.send(read('/companies'), lazyCtx(debug));
    await verbose.close();
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        msg: 'upstream call',
        status: 200,
        upstreamRequestId: outcome.requestId,
        sub: 'alice',
      }),
    ]);
  });
});
