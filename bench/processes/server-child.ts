/**
 * Runs one server of the benchmark in its own process: `sandbox`, `bridge` or `baseline`
 * (argv[2]). Besides its ready message it answers `issue-tokens` (sandbox only), `memory`
 * (after a full garbage collection when node runs with --expose-gc) and `profile` (a V8 CPU profile
 * of exactly the window between start and stop, written as a .cpuprofile file).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { processEnv } from '../../src/config/index.js';
import { startBaseline } from '../baseline-server.js';
import { serveParent } from './ipc.js';

export type ServerRequest =
  | { type: 'issue-tokens'; sub: string; count: number }
  | { type: 'memory' }
  | { type: 'profile'; action: 'start' }
  | { type: 'profile'; action: 'stop'; file: string };

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

let profiler: Session | undefined;

async function profile(request: Extract<ServerRequest, { type: 'profile' }>): Promise<void> {
  if (request.action === 'start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) throw new Error('profile stop without start');
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(request.file, JSON.stringify(profile));
  profiler.disconnect();
  profiler = undefined;
}

/** Requests every server child answers. */
function common(request: ServerRequest): Promise<unknown> {
  if (request.type === 'memory') return Promise.resolve(memory());
  if (request.type === 'profile') return profile(request);
  return Promise.reject(new Error(`${request.type} is not served by this child`));
}

function required(name: string): string {
  const value = processEnv()[name];
  if (!value) throw new Error(`${name} is required for this benchmark child`);
  return value;
}

async function main(role: string | undefined): Promise<void> {
  switch (role) {
    case 'sandbox': {
      const { startSandbox } = await import('../../sandbox/index.js');
      const sandbox = await startSandbox({ port: 0 });
      serveParent<ServerRequest>({ type: 'ready', url: sandbox.url }, async (request) => {
        if (request.type !== 'issue-tokens') return common(request);
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
      const bridge = await startBridge(loadConfig(processEnv()));
      process.once('SIGTERM', () => bridge.close().finally(() => process.exit(0)));
      serveParent<ServerRequest>({ type: 'ready', url: bridge.url }, common);
      return;
    }
    case 'baseline': {
      const baseline = await startBaseline({
        issuer: required('NEONPANEL_ISSUER'),
        jwksUri: required('NEONPANEL_JWKS_URI'),
        apiUrl: required('NEONPANEL_API_URL'),
      });
      serveParent<ServerRequest>({ type: 'ready', url: baseline.url }, common);
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
