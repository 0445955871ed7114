import { startSandbox } from '../../../sandbox/index.js';
import type { IssueTokenOptions, Sandbox, SandboxOptions } from '../../../sandbox/types.js';
import { type BridgeProcess, bridgeEnv, spawnBridge } from './bridge-process.js';
import { type Leak, SecretWatch } from './secrets.js';

/** The sandbox (in this process) and a bridge (child process) in front of it, with every secret watched. */
export interface Stack {
  sandbox: Sandbox;
  bridge: BridgeProcess;
  secrets: SecretWatch;
  /** A sandbox token for `sub` (added to the watch list). */
  token(sub: string, options?: Omit<IssueTokenOptions, 'sub'>): Promise<string>;
  /** Scans everything the bridge printed and its /metrics for watched secrets; returns the leaks. */
  scanForLeaks(): Promise<Leak[]>;
  stop(): Promise<void>;
}

export interface StackOptions {
  sandbox?: SandboxOptions;
  /** Extra bridge environment (knobs of src/config/index.ts). */
  env?: Record<string, string>;
  /** Runs after the sandbox started and before the bridge does (to break the issuer first). */
  beforeBridge?: (sandbox: Sandbox) => void;
}

/** Starts the sandbox and a bridge child pointed at it. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ faultSeed: 9, ...options.sandbox });
  options.beforeBridge?.(sandbox);
  let bridge: BridgeProcess;
  try {
    bridge = await spawnBridge(bridgeEnv(sandbox.url, options.env));
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const secrets = new SecretWatch();
  const scanned = { stdout: 0, stderr: 0 };
  return {
    sandbox,
    bridge,
    secrets,
    async token(sub, tokenOptions = {}) {
      const token = await sandbox.issueToken({ sub, ...tokenOptions });
      secrets.addToken(token);
      return token;
    },
    async scanForLeaks() {
      const leaks: Leak[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        const lines = bridge[stream];
        leaks.push(...secrets.scan(lines.slice(scanned[stream]).join('\n'), `bridge ${stream}`));
        scanned[stream] = lines.length;
      }
      if (!bridge.exit) {
        const metrics = await fetch(new URL('/metrics', bridge.url)).then((r) => r.text());
        leaks.push(...secrets.scan(metrics, '/metrics'));
      }
      return leaks;
    },
    async stop() {
      await bridge.stop();
      await sandbox.close();
    },
  };
}
