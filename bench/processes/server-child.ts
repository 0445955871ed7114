/**
 * Runs one server of the benchmark in its own process: `sandbox`, `bridge` or `baseline`
 * (argv[2]). Besides its ready message it answers `issue-tokens` (sandbox only) and `memory`
 * (after a full garbage collection when node runs with --expose-gc).
 */
import { randomUUID } from 'node:crypto';
import { startBaseline } from '../baseline-server.js';
import { serveParent } from './ipc.js';

export type ServerRequest = { type: 'issue-tokens'; sub: string; count: number } | { type: 'memory' };

/** The child's memory after a full collection (when --expose-gc is on). */
export interface MemoryReply {
  rss: number;
  heapUsed: number;
  external: number;
  collected: boolean;
}

function memory(): MemoryReply {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, collected: collect !== undefined };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required for this benchmark child`);
  return value;
}

async function main(role: string | undefined): Promise<void> {
  switch (role) {
    case 'sandbox': {
      const { startSandbox } = await import('../../sandbox/index.js');
      const sandbox = await startSandbox({ port: 0 });
      serveParent<ServerRequest>({ type: 'ready', url: sandbox.url }, async (request) => {
        if (request.type === 'memory') return memory();
        const tokens: string[] = [];
        // A distinct jti per token: two tokens minted in the same second would otherwise be identical.
        for (let i = 0; i < request.count; i++) {
          tokens.push(await sandbox.issueToken({ sub: request.sub, extraClaims: { jti: randomUUID() } }));
        }
        return tokens;
      });
      return;
    }
    case 'bridge': {
      const { loadConfig } = await import('../../src/config/index.js');
      const { startBridge } = await import('../../src/main.js');
      const bridge = await startBridge(loadConfig(process.env));
      // A clean exit on SIGTERM, so that node --cpu-prof writes its profile.
      process.once('SIGTERM', () => bridge.close().finally(() => process.exit(0)));
      serveParent<ServerRequest>({ type: 'ready', url: bridge.url }, async () => memory());
      return;
    }
    case 'baseline': {
      const baseline = await startBaseline({
        issuer: required('NEONPANEL_ISSUER'),
        jwksUri: required('NEONPANEL_JWKS_URI'),
        apiUrl: required('NEONPANEL_API_URL'),
      });
      serveParent<ServerRequest>({ type: 'ready', url: baseline.url }, async () => memory());
      return;
    }
    default:
      throw new Error(`unknown server role "${role}" (sandbox, bridge or baseline)`);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
