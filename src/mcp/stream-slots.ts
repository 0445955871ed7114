import type { ServerResponse } from 'node:http';
import type { Config } from '../config/index.js';
import { JsonRpcCode, sendJsonRpcError } from './jsonrpc.js';

/** A stream's hold on its slot; `release` is safe to call twice. */
export interface StreamSlot {
  release(): void;
}

/**
 * The long-lived streams this instance holds, of every kind (legacy `GET /sse`, a session's `GET /mcp`,
 * 2026-07-28 `subscriptions/listen`), counted against one per-user and one total limit
 * (`MCP_MAX_SSE_STREAMS_PER_USER`, `MCP_MAX_SSE_STREAMS`): each holds a socket and buffers for as long as
 * the client likes, so a cap that counted one kind only could be walked around with another.
 */
export class StreamSlots {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(private readonly config: Pick<Config, 'maxSseStreamsPerUser' | 'maxSseStreamsTotal'>) {}

  /** A slot for one more stream of `sub` (null: anonymous), or why the limits refuse it. */
  take(sub: string | null): StreamSlot | { refusal: string } {
    const { maxSseStreamsTotal, maxSseStreamsPerUser } = this.config;
    if (this.total >= maxSseStreamsTotal) {
      return { refusal: `this server holds its maximum of ${maxSseStreamsTotal} open SSE streams; retry later` };
    }
    const owner = sub ?? '';
    const mine = this.held.get(owner) ?? 0;
    if (mine >= maxSseStreamsPerUser) {
      return {
        refusal: `you already have ${mine} open SSE streams (GET /sse, GET /mcp and subscriptions/listen together; the limit per user is ${maxSseStreamsPerUser}); close one first`,
      };
    }
    this.held.set(owner, mine + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.held.get(owner) ?? 1) - 1;
        if (left === 0) this.held.delete(owner);
        else this.held.set(owner, left);
      },
    };
  }

  /**
   * Takes a slot for a stream answered on `res` and releases it when the response closes; when the limits
   * refuse it, answers (`refuseStream`) and returns false.
   */
  hold(res: ServerResponse, sub: string | null, id?: string | number | null): boolean {
    const slot = this.take(sub);
    if ('refusal' in slot) {
      refuseStream(res, slot, id);
      return false;
    }
    res.once('close', slot.release);
    return true;
  }

  /** Open streams of every kind on this instance. */
  get count(): number {
    return this.total;
  }
}

/** Answers a stream the limits refused: 503 with `Retry-After` (streams end often, so a later try may fit). */
export function refuseStream(res: ServerResponse, refusal: { refusal: string }, id?: string | number | null): void {
  sendJsonRpcError(res, 503, JsonRpcCode.ServerError, `Too many SSE streams: ${refusal.refusal}`, {
    id,
    headers: { 'Retry-After': '30' },
  });
}
