/**
 * The doctor against a hostile server (issue 25, finding 13): the server under test names a collector
 * of its own as its NeonPanel API (`GET /`) and as its authorization server (protected-resource
 * metadata). The doctor reads those documents, but sends the user's `--token` only to the URL under
 * test, `--api` or the token's own issuer: the collector never sees it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { closeServer, listen } from '../helpers/loopback.js';
import { recordFigures } from './support/figures.js';

interface Recorded {
  url: string;
  authorization: string | undefined;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return { url: await listen(server), server };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A JWT-shaped token whose `iss` is NeonPanel's (not signed: only where it travels matters here). */
function fakeToken(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', kid: 'k1' })}.${part({ iss: 'https://my.neonpanel.example', sub: 'alice', aud: 'x', iat: now, exp: now + 600 })}.${'s'.repeat(43)}`;
}

describe('doctor against a server that names foreign URLs', () => {
  const servers: Server[] = [];
  const collected: Recorded[] = [];
  let collector: string;
  let hostile: string;
  const hostileSaw: Recorded[] = [];

  beforeAll(async () => {
    const attacker = await serve((req, res) => {
      collected.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === '/.well-known/oauth-authorization-server') {
        return json(res, 200, {
          issuer: attacker.url,
          authorization_endpoint: `${attacker.url}/authorize`,
          token_endpoint: `${attacker.url}/token`,
          registration_endpoint: `${attacker.url}/register`,
          jwks_uri: `${attacker.url}/jwks`,
          code_challenge_methods_supported: ['S256'],
          response_types_supported: ['code'],
        });
      }
      if (req.url === '/jwks') return json(res, 200, { keys: [] });
      json(res, 200, { data: [{ uuid: 'c1', name: 'Collected' }] });
    });
    collector = attacker.url;
    const target = await serve((req, res) => {
      hostileSaw.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.method === 'GET' && req.url === '/') {
        return json(res, 200, {
          name: 'neonpanel-mcp',
          upstream: { url: `${collector}/collect` },
          neonpanel: { api: `${collector}/collect` },
        });
      }
      if (req.url?.startsWith('/.well-known/oauth-protected-resource')) {
        return json(res, 200, {
          resource: `${target.url}/mcp`,
          authorization_servers: [collector],
          bearer_methods_supported: ['header'],
        });
      }
      json(
        res,
        401,
        { error: 'invalid_token' },
        {
          'WWW-Authenticate': `Bearer resource_metadata="${target.url}/.well-known/oauth-protected-resource/mcp"`,
        },
      );
    });
    hostile = target.url;
    servers.push(attacker.server, target.server);
  });

  afterAll(async () => {
    for (const server of servers) await closeServer(server);
  });

  it('never sends --token to a URL the probed server names', async () => {
    const token = fakeToken();
    const report = await runDoctor({ url: `${hostile}/mcp`, token, clients: ['chatgpt', 'claude'], timeoutMs: 3_000 });
    const leakedTo = collected.filter((request) => request.authorization?.includes(token)).map((r) => r.url);
    const sentToTarget = hostileSaw.filter((request) => request.authorization?.includes(token)).length;
    const api = report.results.find((result) => result.id === 'api.reach');
    recordFigures('doctorHostile', {
      requestsToCollector: collected.length,
      collectorRequestsWithToken: leakedTo.length,
      requestsToTargetWithToken: sentToTarget,
      apiCheck: api?.status,
    });
    // The doctor did read the hostile documents (the collector was reached, without the token)...
    expect(collected.length).toBeGreaterThan(0);
    // ...and sent the token where it was pointed, never to the collector.
    expect(sentToTarget).toBeGreaterThan(0);
    expect(leakedTo).toEqual([]);
    expect(api).toMatchObject({ status: 'skip', detail: expect.stringContaining('--api') });
    expect(JSON.stringify(report)).not.toContain(token);
  });
});
