import { Writable } from 'node:stream';
import type { IssueTokenOptions, Sandbox, SandboxOptions } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './net.js';
import { type Config, loadConfig } from '../../src/config/index.js';
import { type Bridge, type BridgeOverrides, startBridge } from '../../src/main.js';
import type { Store } from '../../src/state/types.js';
import { createLogger } from '../../src/telemetry/logger.js';

/** Options of `startStack()`; every field is optional. */
export interface StackOptions {
  /** Extra bridge environment variables (`MCP_KEEPALIVE_MS`, `MCP_LEGACY_SSE`, …) on top of the stack's. */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** A shared store (e.g. Redis for several instances); default: the bridge's own from its config. */
  store?: Store;
  /** Bridge log level; default `info` (lines are captured in `logs`, not printed). */
  logLevel?: Config['logLevel'];
}

/** A sandbox and a bridge in front of it, both on loopback. */
export interface Stack {
  sandbox: Sandbox;
  bridge: Bridge;
  /** The bridge's base URL (`http://127.0.0.1:<port>`), also its MCP_PUBLIC_URL. */
  url: string;
  /** A valid access token for `sub` from the sandbox issuer (audience and scope as the bridge expects). */
  tokenFor(sub: string, claims?: Omit<IssueTokenOptions, 'sub'>): Promise<string>;
  /** Every bridge log line so far (JSON text), for tests that check what is (not) logged. */
  logs: string[];
  /** Starts one more bridge instance on the same sandbox (and the same store if one was given). */
  startInstance(env?: Record<string, string>): Promise<Bridge>;
  /** Closes every bridge instance, then the sandbox. */
  close(): Promise<void>;
}

/** The bridge configuration for a sandbox on `sandboxUrl` and a bridge on `port`. */
export function stackConfig(sandbox: Sandbox, port: number, env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NEONPANEL_ISSUER: sandbox.issuer,
    NEONPANEL_API_URL: sandbox.url,
    LOG_LEVEL: 'info',
    ...env,
  });
}

/**
 * Starts the sandbox and a bridge against it, in process. The bridge's logs are captured in `logs`.
 * Close it in `afterAll`.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox(options.sandbox);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const instances: Bridge[] = [];
  const startInstance = async (env: Record<string, string> = {}) => {
    const config = stackConfig(sandbox, await freePort(), {
      LOG_LEVEL: options.logLevel ?? 'info',
      ...options.env,
      ...env,
    });
    const overrides: BridgeOverrides = { logger: createLogger({ level: config.logLevel, destination }) };
    if (options.store) overrides.store = options.store;
    const bridge = await startBridge(config, overrides);
    instances.push(bridge);
    return bridge;
  };
  const bridge = await startInstance();
  return {
    sandbox,
    bridge,
    url: bridge.url,
    logs,
    startInstance,
    tokenFor: (sub, claims = {}) => sandbox.issueToken({ sub, ...claims }),
    close: async () => {
      await Promise.all(instances.map((instance) => instance.close()));
      await sandbox.close();
    },
  };
}
