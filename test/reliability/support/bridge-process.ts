import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildMessage, ParentMessage } from './bridge-child.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CHILD_ENTRY = resolve(import.meta.dirname, 'bridge-child.ts');

/** Heap and RSS of the bridge process after a full garbage collection. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** A bridge running in its own Node process, configured by environment variables like production. */
export interface BridgeProcess {
  readonly url: string;
  readonly pid: number;
  /** Every line the bridge wrote to stdout (its pino log), in order. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Set once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** RSS and heap after two full GCs in the child. */
  memory(): Promise<MemorySample>;
  /** Graceful close through the bridge's own `close()`, then SIGKILL if it does not exit in time. */
  stop(): Promise<void>;
}

/** The bridge's MCP_PUBLIC_URL: the origin of the resource (the token audience) it serves. No one listens there. */
export const PUBLIC_URL = 'http://127.0.0.1:1';

/** The environment of a bridge on a free loopback port in front of the sandbox at `sandboxUrl`. */
export function bridgeEnv(sandboxUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: PUBLIC_URL,
    NEONPANEL_ISSUER: sandboxUrl,
    NEONPANEL_API_URL: sandboxUrl,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

function waitForMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`bridge child sent no "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      cleanup();
      resolvePromise(message as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`bridge child exited (code ${code}, signal ${signal}) before sending "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Spawns the bridge (`node --expose-gc --import tsx bridge-child.ts`) with `env` only (plus PATH and
 * HOME), waits until it listens and returns a handle. stdout and stderr are kept line by line.
 */
export async function spawnBridge(env: Record<string, string>): Promise<BridgeProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD_ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  let ready: { url: string };
  try {
    ready = await waitForMessage(child, 'ready', 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstderr:\n${stderr.join('\n')}\nstdout:\n${stdout.join('\n')}`);
  }
  const handle: BridgeProcess = {
    url: ready.url,
    pid: child.pid!,
    stdout,
    stderr,
    exit: undefined,
    async memory() {
      const reply = waitForMessage(child, 'memory', 30_000);
      child.send({ type: 'memory' } satisfies ParentMessage);
      const { type: _type, ...sample } = await reply;
      return sample;
    },
    async stop() {
      if (handle.exit) return;
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.send({ type: 'stop' } satisfies ParentMessage);
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
  child.on('exit', (code, signal) => {
    handle.exit = { code, signal };
  });
  return handle;
}
