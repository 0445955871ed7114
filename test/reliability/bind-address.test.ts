/**
 * The DNS-rebinding guard follows the address the bridge binds (issue 25, finding 9): HOST spelled as
 * `127.1` or `0x7f.0.0.1` is loopback, so a request naming a foreign `Host` is refused with 403 there,
 * as it is with HOST=127.0.0.1; on HOST=0.0.0.0 the guard stays off (the proxy owns `Host`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { recordFigures } from './support/figures.js';
import { sendRaw } from './support/raw-http.js';
import { type Stack, startStack } from './support/stack.js';

/** The status of `GET /` naming `host`, sent over a raw socket so `Host` can be anything. */
async function statusWithHost(origin: string, host: string): Promise<number> {
  const raw = `GET / HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`;
  const outcome = await sendRaw(origin, raw, { timeoutMs: 10_000 });
  if (outcome.kind !== 'response') throw new Error(`GET / with Host ${host}: ${outcome.kind}`);
  return outcome.response.status;
}

describe('DNS-rebinding guard decided from the bound address', () => {
  const stacks: Stack[] = [];
  const figures: Record<string, Record<string, number>> = {};

  afterAll(async () => {
    recordFigures('bindAddress', figures);
    for (const stack of stacks) await stack.stop();
  });

  it.each([
    ['127.0.0.1', 403],
    ['127.1', 403],
    ['0x7f.0.0.1', 403],
    ['0.0.0.0', 200],
  ])('HOST=%s answers a foreign Host with %i', async (host, expected) => {
    const stack = await startStack({ env: { HOST: host } });
    stacks.push(stack);
    const foreign = await statusWithHost(stack.bridge.url, 'rebound.evil.example');
    const own = await statusWithHost(stack.bridge.url, '127.0.0.1');
    figures[host] = { foreignHost: foreign, loopbackHost: own };
    expect(own).toBe(200);
    expect(foreign).toBe(expected);
  });
});
