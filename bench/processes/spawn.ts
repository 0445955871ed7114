/**
 * Starts the benchmark's child processes (servers and the load generator), optionally pinned to a
 * CPU with `taskset`, and talks to them over IPC (see ipc.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processEnv } from '../../src/config/index.js';
import type { ReadyMessage, Reply } from './ipc.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether `taskset` can pin processes here (it is part of util-linux; absent on macOS). */
export function tasksetAvailable(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let clockTicks: number | undefined;

/** The kernel's clock ticks per second (USER_HZ), in which /proc reports CPU time. */
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface SpawnOptions {
  /** Extra environment on top of the benchmark's own. */
  env?: Record<string, string>;
  /** CPU list for `taskset -c` (e.g. "0"); unpinned when undefined. */
  cpus?: string | undefined;
  /** Extra node flags (e.g. --expose-gc, --cpu-prof). */
  nodeFlags?: string[];
  /** How long to wait for the child's ready message. */
  readyTimeoutMs?: number;
}

/** CPU time (user + system) process `pid` has used so far, in seconds, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** A running child and its IPC channel. */
export class Child {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
    readonly ready: ReadyMessage,
  ) {
    process.on('message', (message: Reply) => {
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
    this.exited = new Promise((resolve) => process.once('exit', () => resolve()));
    this.exited.then(() => {
      for (const resolve of this.waiting.values()) resolve({ id: -1, ok: false, error: `${name} exited` });
      this.waiting.clear();
    });
  }

  /** Spawns a TypeScript entry under tsx and waits for its ready message. Child stderr is passed through. */
  static async start(name: string, script: string, args: string[], options: SpawnOptions = {}): Promise<Child> {
    const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args];
    const [command, commandArgs] = options.cpus
      ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    const child = spawn(command, commandArgs as string[], {
      cwd: REPO_ROOT,
      env: { ...processEnv(), ...options.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 60_000} ms`)),
        options.readyTimeoutMs ?? 60_000,
      );
      child.once('message', (message: ReadyMessage) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with code ${code} before it was ready`));
      });
    });
    return new Child(name, child, ready);
  }

  get pid(): number {
    return this.process.pid!;
  }

  get url(): string {
    if (!this.ready.url) throw new Error(`${this.name} runs no server`);
    return this.ready.url;
  }

  /** Sends one request and waits for its reply; a child-side failure rejects with its message. */
  async request<T>(request: unknown): Promise<T> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.process.send({ id, request });
    });
    if (!reply.ok) throw new Error(`${this.name}: ${reply.error}`);
    return reply.value as T;
  }

  /** Resident set size of the child right now, from /proc (Linux), in bytes. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (!kb) throw new Error(`no VmRSS for ${this.name} (pid ${this.pid})`);
    return Number(kb) * 1024;
  }

  /** CPU time (user + system) the child has used so far, in seconds, from /proc (Linux). */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** Ends the child (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
