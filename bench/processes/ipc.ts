/**
 * Request/reply over the Node IPC channel between the benchmark and its child processes.
 * A child announces itself with `{ type: 'ready', ... }`, then answers each `{ id, request }` with
 * `{ id, ok, value }` or `{ id, ok: false, error }`.
 */

export interface ReadyMessage {
  type: 'ready';
  /** Base URL of the server the child runs, when it runs one. */
  url?: string;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Child side: tells the parent it is ready, then answers its requests with `handle`. Exits when the parent goes. */
export function serveParent<Request>(ready: ReadyMessage, handle: (request: Request) => Promise<unknown>): void {
  process.on('message', (message: { id: number; request: Request }) => {
    handle(message.request).then(
      (value) => process.send?.({ id: message.id, ok: true, value } satisfies Reply),
      (error: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.(ready);
}
