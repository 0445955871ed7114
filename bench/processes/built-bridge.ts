/**
 * A bridge started from a built entry point (`node dist/src/main.js`, or a build made with
 * `npm run build -- --outdir DIR`), as `npm start` runs it: no IPC, ready when `/readyz` answers 200.
 * Cold start times such starts; `npm run bench:compare` loads bridges started this way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { processEnv } from '../../src/config/index.js';
import { processCpuSeconds, REPO_ROOT } from './spawn.js';

/** How `spawnBuiltBridge` starts a bridge. */
export interface BuiltBridgeOptions {
  /** Node arguments: the entry point, after any flags. */
  args: string[];
  /** The bridge's environment on top of this process's (PORT must be in it). */
  env: Record<string, string>;
  /** CPU list for `taskset -c`; unpinned when undefined. */
  cpus: string | undefined;
}

/** A spawned bridge, not necessarily ready yet. */
export interface BuiltBridge {
  url: string;
  /** Polls `/readyz` until it answers 200; rejects when the bridge exits first or `giveUpMs` pass. */
  ready(giveUpMs: number, pollMs: number): Promise<void>;
  cpuSeconds(): number;
  /** Ends the bridge (SIGKILL: nothing of it is measured after this). */
  stop(): void;
}

const READY_REQUEST_TIMEOUT_MS = 1_000;

async function readyStatus(url: string): Promise<number | undefined> {
  try {
    const response = await request(url, {
      headersTimeout: READY_REQUEST_TIMEOUT_MS,
      bodyTimeout: READY_REQUEST_TIMEOUT_MS,
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return undefined; // not listening yet
  }
}

/**
 * Spawns the bridge. Its log (stdout) is dropped, as the benchmark's bridges log nothing anyone reads; its
 * stderr, where a bridge that cannot start says why, is passed through.
 */
export function spawnBuiltBridge(options: BuiltBridgeOptions): BuiltBridge {
  const port = options.env['PORT'];
  if (!port) throw new Error('spawnBuiltBridge: the environment has no PORT');
  const url = `http://127.0.0.1:${port}`;
  const [command, commandArgs] = options.cpus
    ? ['taskset', ['-c', options.cpus, process.execPath, ...options.args]]
    : [process.execPath, options.args];
  const child: ChildProcess = spawn(command, commandArgs as string[], {
    cwd: REPO_ROOT,
    env: { ...processEnv(), ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (${signal ?? code}) before /readyz answered 200`;
  });
  return {
    url,
    async ready(giveUpMs, pollMs) {
      const startedAt = performance.now();
      while (performance.now() - startedAt < giveUpMs) {
        if (exited) throw new Error(`the bridge (${options.args.join(' ')}) ${exited}`);
        if ((await readyStatus(`${url}/readyz`)) === 200) return;
        await sleep(pollMs);
      }
      throw new Error(`the bridge (${options.args.join(' ')}): /readyz did not answer 200 within ${giveUpMs} ms`);
    },
    cpuSeconds: () => processCpuSeconds(child.pid!),
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}
