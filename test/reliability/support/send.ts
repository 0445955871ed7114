import { Pool } from 'undici';
import type { HostileRequest } from './hostile-corpus.js';
import { type RawOutcome, sendRaw } from './raw-http.js';

/** What came back for one hostile request. */
export type HostileOutcome =
  | { kind: 'response'; status: number; contentType: string; body: string; ms: number }
  | { kind: 'closed'; ms: number }
  | { kind: 'timeout'; ms: number }
  /** The HTTP client library refused to send it (never reached the bridge; not counted as sent). */
  | { kind: 'unsendable'; reason: string };

/** How long an event stream is read before the client hangs up (it never ends by itself). */
const STREAM_READ_MS = 250;

/** Reads a body, but only a moment of an event stream. */
async function readBody(body: AsyncIterable<Buffer> & { destroy(): void }, isStream: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  if (!isStream) {
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
  const until = performance.now() + STREAM_READ_MS;
  const reading = (async () => {
    try {
      for await (const chunk of body) {
        chunks.push(chunk);
        if (performance.now() > until) break;
      }
    } catch {
      // destroyed below: what was read is what counts
    }
  })();
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, STREAM_READ_MS))]);
  body.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends hostile requests with a bounded number in flight; `timeoutMs` bounds each one (a hang). */
export class HostileSender {
  private readonly pool: Pool;

  constructor(
    private readonly origin: string,
    private readonly timeoutMs: number,
    connections = 16,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1 });
  }

  async send(request: HostileRequest): Promise<HostileOutcome> {
    if (request.raw !== undefined)
      return fromRaw(await sendRaw(this.origin, request.raw, { timeoutMs: this.timeoutMs }));
    const started = performance.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
        signal,
      });
    } catch (error) {
      const ms = performance.now() - started;
      if (signal.aborted) return { kind: 'timeout', ms };
      const code = (error as { code?: string }).code ?? '';
      if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
        return { kind: 'unsendable', reason: (error as Error).message };
      }
      return { kind: 'closed', ms };
    }
    const contentType = String(response.headers['content-type'] ?? '');
    try {
      const body = await readBody(response.body, contentType.includes('text/event-stream'));
      return { kind: 'response', status: response.statusCode, contentType, body, ms: performance.now() - started };
    } catch {
      if (signal.aborted) return { kind: 'timeout', ms: performance.now() - started };
      return { kind: 'response', status: response.statusCode, contentType, body: '', ms: performance.now() - started };
    }
  }

  /** Sends every request, `concurrency` at a time, handing each outcome to `check` as it arrives. */
  async sendAll(
    requests: readonly HostileRequest[],
    concurrency: number,
    check: (request: HostileRequest, outcome: HostileOutcome) => void,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        check(request, await this.send(request));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

function fromRaw(outcome: RawOutcome): HostileOutcome {
  if (outcome.kind !== 'response') return outcome;
  const { response } = outcome;
  return {
    kind: 'response',
    status: response.status,
    contentType: response.headers['content-type'] ?? '',
    body: response.body,
    ms: outcome.ms,
  };
}
