/**
 * `npm run sandbox`: the local NeonPanel alone, on SANDBOX_PORT (default 4010, 0 for a free port),
 * printing its URLs; Ctrl-C or SIGTERM stops it cleanly.
 */

import { companyCount } from './data/model.js';
import { startSandbox } from './index.js';

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 4010;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`SANDBOX_PORT must be an integer from 0 to 65535, got "${value}"`);
    process.exit(2);
  }
  return port;
}

/** A true/false switch: `true`/`1` or `false`/`0`/unset; anything else stops with a message naming the variable. */
function switchFromEnv(name: string): boolean {
  const value = process.env[name];
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  console.error(`${name} must be true or false, got "${value}"`);
  process.exit(2);
}

const cimd = switchFromEnv('SANDBOX_CIMD');
const cimdLoopback = switchFromEnv('SANDBOX_CIMD_ALLOW_LOOPBACK');
const sandbox = await startSandbox({
  port: portFromEnv(process.env.SANDBOX_PORT),
  logRequests: process.env.SANDBOX_LOG === '1',
  cimd: cimd && { allowLoopback: cimdLoopback },
});

const { url } = sandbox;
const alice = sandbox.users.alice?.companyUuids[0] ?? '';
console.log(`NeonPanel sandbox listening on ${url}
  issuer               ${sandbox.issuer}
  metadata             ${url}/.well-known/oauth-authorization-server
  JWKS                 ${url}/.well-known/jwks.json
  authorize            ${url}/oauth2/authorize
  token                ${url}/oauth2/token
  register (DCR)       ${url}/oauth2/register
  client metadata docs ${cimd ? `accepted (SANDBOX_CIMD=true${cimdLoopback ? ', loopback documents allowed' : ''})` : 'off (SANDBOX_CIMD=true accepts them)'}
  API base             ${url}/api/v1   (e.g. ${url}/api/v1/companies/${alice}/inventory-items)
  faults control       ${url}/__sandbox/faults
  misbehave control    ${url}/__sandbox/misbehave
  token for curl       curl -s -X POST ${url}/__sandbox/tokens -H 'content-type: application/json' -d '{"sub":"alice"}'
Demo users: ${Object.values(sandbox.users)
  .map((user) => `${user.id} (${companyCount(user)})`)
  .join(', ')}. Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
