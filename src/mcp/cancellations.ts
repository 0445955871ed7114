import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { MessageBus } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';

/** The bus channel every instance listens on for cancellations of calls in Streamable HTTP sessions. */
const CHANNEL = 'mcp.cancelled';

/** What the client sent to cancel one of its requests. */
interface CancelledNotification {
  jsonrpc: '2.0';
  method: 'notifications/cancelled';
  params: { requestId: RequestId; reason?: string };
}

/** Whether `message` is a `notifications/cancelled` naming a request id. */
export function isCancellation(message: unknown): message is CancelledNotification {
  if (typeof message !== 'object' || message === null) return false;
  const { method, params, id } = message as { method?: unknown; params?: { requestId?: unknown }; id?: unknown };
  if (method !== 'notifications/cancelled' || id !== undefined) return false;
  const requestId = typeof params === 'object' && params !== null ? params.requestId : undefined;
  return typeof requestId === 'string' || typeof requestId === 'number';
}

/** One key per session and JSON-RPC id (`1` and `"1"` are different ids). */
function callKey(session: string, requestId: RequestId): string {
  return `${session}\n${typeof requestId}:${requestId}`;
}

/** Hands the cancellation to the exchange running the call. */
export type CancelCall = (notification: JSONRPCMessage) => void;

/**
 * A call in the registry. Its `cancel` reaches the call's whole exchange (transport, server, request), so it
 * is cleared when the call ends, not only deleted from the map: a long-lived map that churns keeps reaching
 * deleted entries from its old-generation storage for a while, and young collections treat what it reaches
 * as alive. Holding the cancel functions directly, every session call's exchange was promoted to the old
 * generation (14–15 KB per call at c=64, against 5 KB with them cleared; cancellations-retention.test.ts).
 */
interface RunningCall {
  cancel: CancelCall | undefined;
}

/**
 * Cancellation of calls in Streamable HTTP sessions (2025 revisions), across instances.
 *
 * Every POST of a session runs on a fresh server, so a client's `notifications/cancelled` (a POST of its
 * own, maybe to another instance behind the load balancer) reaches a server that does not hold the call
 * it names. Each instance therefore keeps the calls it is running, by session and JSON-RPC id. A
 * cancellation goes straight to the call when this instance runs it, else over the bus to every instance;
 * the one running it hands it to that call's server, which aborts the tool call (and its NeonPanel
 * request) and sends no answer, as the protocol asks. Keys include the session, and only the session's
 * owner can post to it, so nobody can cancel another user's calls.
 */
export class SessionCancellations {
  private readonly running = new Map<string, RunningCall>();
  /**
   * The bus subscription, made once at construction: the store's `subscribe` registers its handler at
   * once and resubscribes by itself after an outage, so there is nothing to wait for or retry per request.
   */
  private readonly subscription: Promise<(() => Promise<void>) | undefined>;

  constructor(private readonly deps: { bus: MessageBus; logger: Logger }) {
    this.subscription = deps.bus
      .subscribe(CHANNEL, (raw) => this.deliver(raw))
      .catch((error: unknown) => {
        // Calls still run and answer; only a cancellation sent to another instance cannot reach them.
        deps.logger.warn({ err: (error as Error).message }, 'cannot listen for cancellations on the message bus');
        return undefined;
      });
  }

  /** Registers a running call of `session`; returns the function that forgets it once it is answered. */
  track(session: string, requestId: RequestId, cancel: CancelCall): () => void {
    const key = callKey(session, requestId);
    const call: RunningCall = { cancel };
    this.running.set(key, call);
    return () => {
      // Cleared, not only deleted: see RunningCall.
      call.cancel = undefined;
      if (this.running.get(key) === call) this.running.delete(key);
    };
  }

  /** Cancels the call the notification names in `session`, on whichever instance runs it. */
  async cancel(session: string, notification: CancelledNotification): Promise<void> {
    const local = this.cancelOf(session, notification);
    if (local) return local(notification);
    await this.deps.bus.publish(CHANNEL, JSON.stringify({ session, notification }));
  }

  private deliver(raw: string): void {
    let routed: { session?: unknown; notification?: unknown };
    try {
      routed = JSON.parse(raw) as typeof routed;
    } catch {
      return; // not ours: every instance publishes only what `cancel` writes
    }
    const { session, notification } = routed;
    if (typeof session !== 'string' || !isCancellation(notification)) return;
    this.cancelOf(session, notification)?.(notification);
  }

  /** The cancel function of the call `notification` names in `session`, when this instance runs it. */
  private cancelOf(session: string, notification: CancelledNotification): CancelCall | undefined {
    return this.running.get(callKey(session, notification.params.requestId))?.cancel;
  }

  /** Stops listening (shutdown). */
  async close(): Promise<void> {
    const unsubscribe = await this.subscription;
    await unsubscribe?.();
  }
}
