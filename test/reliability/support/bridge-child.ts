/**
 * Entry point of a bridge run as a child process by the reliability tests (see bridge-process.ts).
 * A child has its own heap and RSS to measure and its own stdout to capture, and a crash shows as
 * an exit instead of taking the test runner down. Configuration comes from the environment, exactly
 * as in production; the parent talks to it over the IPC channel only to read memory after a full GC.
 */
import { loadConfig } from '../../../src/config/index.js';
import { startBridge } from '../../../src/main.js';

/** Messages the parent sends. */
export type ParentMessage = { type: 'memory' } | { type: 'stop' };
/** Messages the child sends. */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'memory'; rss: number; heapUsed: number; external: number; arrayBuffers: number };

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Full collection twice: the second pass frees what the first pass's finalizers released. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bridge-child needs --expose-gc');
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
}

const bridge = await startBridge(loadConfig(process.env));

process.on('message', async (message: ParentMessage) => {
  if (message.type === 'memory') {
    await collect();
    const usage = process.memoryUsage();
    send({
      type: 'memory',
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
    });
  } else if (message.type === 'stop') {
    await bridge.close();
    // Idle keep-alive timers of clients the test left open must not keep the process alive.
    process.exit(0);
  }
});

send({ type: 'ready', url: bridge.url });
