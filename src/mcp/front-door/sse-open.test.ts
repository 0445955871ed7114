import { describe, expect, it } from 'vitest';
import {
  countingVerify,
  handlerGuards,
  serveBeforeExpress,
  serversClosedAfterEach,
  verifyGoodToken,
} from '../../../test/helpers/before-express.js';
import { silentLogger } from '../../telemetry/logger.js';
import { LegacySse } from '../legacy-sse.js';
import { createSseOpenHandler, isPlainSseOpen } from './sse-open.js';
import { StreamSlots } from '../stream-slots.js';

const running = serversClosedAfterEach();
const verify = verifyGoodToken;

/** A node:http server with the handler in front and a stand-in for express behind it. */
async function serve(options: { maxStreams?: number; ratePerUser?: number; verify?: typeof verify } = {}) {
  const { store, metrics, rateLimit, admit, checkToken, refuse } = handlerGuards(
    options.ratePerUser,
    options.verify ?? verify,
  );
  const config = {
    legacySse: true,
    host: '127.0.0.1',
    publicUrl: 'http://127.0.0.1',
    otelEndpoint: undefined,
    keepAliveMs: 100,
    maxSseStreamsPerUser: options.maxStreams ?? 10,
    maxSseStreamsTotal: options.maxStreams ?? 10,
    upstreamTimeoutMs: 1_000,
  };
  const legacySse = new LegacySse({
    build: () => {
      throw new Error('no message is sent in these tests');
    },
    store,
    slots: new StreamSlots(config),
    config,
    metrics,
    logger: silentLogger(),
  });
  const handler = createSseOpenHandler({
    legacySse,
    config,
    checkToken,
    refuse,
    admit,
    rateLimit,
    logger: silentLogger(),
    metrics,
    clientIp: (req) => req.socket.remoteAddress,
  });
  if (!handler) throw new Error('the handler should be built');
  const url = await serveBeforeExpress(
    running,
    async (req, res) => isPlainSseOpen(req) && handler(req, res),
    (_req, res) => void res.writeHead(299).end('left to express'),
  );
  return { url, legacySse, store };
}

async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return text;
}

describe('GET /sse outside express', () => {
  it('opens a stream with the endpoint event, request id, CORS and rate-limit headers', async () => {
    const { url, legacySse } = await serve({ ratePerUser: 100 });
    const response = await fetch(`${url}/sse`, {
      headers: { Authorization: 'Bearer good', Origin: 'https://app.example', 'X-Request-Id': 'req-1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('ratelimit-limit')).toBe('100');
    const text = await readUntil(response, (t) => t.includes('\n\n'));
    expect(text).toMatch(/^event: endpoint\ndata: \/messages\?sessionId=[A-Za-z0-9_-]{43}\n\n/);
    expect(legacySse.activeCount).toBe(1);
  });

  it('sends keep-alive comments on every open stream from one shared timer', async () => {
    const { url } = await serve();
    const open = () => fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    const streams = await Promise.all([open(), open()]);
    const texts = await Promise.all(
      streams.map((response) => readUntil(response, (t) => t.split(': keepalive\n\n').length > 2)),
    );
    for (const text of texts) expect(text.split(': keepalive\n\n').length).toBeGreaterThan(2);
  });

  it('forgets a stream and its record when the client leaves', async () => {
    const { url, legacySse, store } = await serve();
    const response = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    const text = await readUntil(response, (t) => t.includes('\n\n'));
    const id = /sessionId=([A-Za-z0-9_-]+)/.exec(text)![1]!;
    await expect.poll(() => legacySse.activeCount).toBe(0);
    await expect.poll(() => store.kv.get(`mcp:sse:${id}`)).toBeUndefined();
  });

  it('still applies the stream limit (503 with Retry-After)', async () => {
    const { url } = await serve({ maxStreams: 1 });
    const first = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    const reader = first.body!.getReader();
    await reader.read(); // the endpoint event: the stream is open and counted
    const second = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('30');
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(/Too many SSE streams/);
    await reader.cancel();
  });

  it('answers 429 with the rate-limit body once the user is over the limit', async () => {
    const { url } = await serve({ ratePerUser: 1 });
    const first = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    await readUntil(first, (t) => t.includes('\n\n'));
    const second = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await second.json()).toMatchObject({ error: 'rate_limited' });
  });

  it('answers a missing or bad token with the challenge, and leaves a query or another method to express', async () => {
    const { url } = await serve();
    const statuses = await Promise.all([
      fetch(`${url}/sse`),
      fetch(`${url}/sse`, { headers: { Authorization: 'Bearer bad' } }),
      fetch(`${url}/sse?x=1`, { headers: { Authorization: 'Bearer good' } }),
      fetch(`${url}/sse`, { method: 'POST', headers: { Authorization: 'Bearer good' } }),
    ]);
    expect(statuses.map((response) => response.status)).toEqual([401, 401, 299, 299]);
    expect(statuses[0]!.headers.get('www-authenticate')).toContain('oauth-protected-resource/sse');
  });

  it('checks a refused token once and answers the refusal itself', async () => {
    const { checked, verify: counted } = countingVerify();
    const { url } = await serve({ verify: counted });
    const response = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer forged' } });
    expect(response.status).toBe(401);
    expect(checked).toEqual(['forged']);
  });
});
