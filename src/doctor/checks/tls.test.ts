/**
 * The certificate check against real TLS servers on loopback, with certificates made by openssl at
 * test time: each fault a cloud client would refuse is named, with its fix.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type ServerOptions, createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Server, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, type TestPki, createTestPki } from '../../../test/helpers/certs.js';
import { testContext } from '../../../test/helpers/doctor-context.js';
import { freePort } from '../../../test/helpers/net.js';
import type { CheckResult } from '../types.js';
import { checkServerInfo } from './server.js';
import { checkCertificate } from './tls.js';
import { checkTransportSecurity } from './transport-security.js';

const DAY_MS = 86_400_000;

let pki: TestPki;
const servers: Server[] = [];

beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await pki.remove();
});

/** Listens on 127.0.0.1 port 0; returns the port. The server is closed after all tests. */
async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** An https server presenting `pair` (its `cert` may hold a chain); returns its origin. */
async function serveTls(pair: KeyPair, options: ServerOptions = {}): Promise<string> {
  const port = await listen(createHttpsServer({ ...pair, ...options }, (_req, res) => res.end('ok')));
  return `https://127.0.0.1:${port}`;
}

/** The certificate verdict for `origin`, trusting the test root unless told otherwise. */
async function certificateOf(origin: string, tlsCa: string[] = [pki.root]): Promise<CheckResult> {
  const [result] = await checkCertificate({ ...testContext(`${origin}/mcp`, ['all']), tlsCa });
  return result!;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('checkTransportSecurity on https', () => {
  it('judges the port, then passes a full chain to a trusted root, naming subject, issuer, expiry and version', async () => {
    const leaf = await pki.leaf({ issuer: 'intermediate', days: 90 });
    const origin = await serveTls({ key: leaf.key, cert: leaf.cert + pki.intermediate });
    const results = await checkTransportSecurity({ ...testContext(`${origin}/mcp`, ['all']), tlsCa: [pki.root] });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['server.tls', 'warn'],
      ['server.tls.cert', 'pass'],
    ]);
    expect(results[1]!.title).toBe('TLS certificate');
    expect(results[1]!.detail).toMatch(
      /^localhost issued by Doctor Test Intermediate CA, valid until \d{4}-\d\d-\d\d \((89|90) days left\), TLSv1\.3\.$/,
    );
    expect(results[1]!.detail).toContain(day(Date.now() - 3_600_000 + 90 * DAY_MS));
    expect(results[1]!.curl).toBe(`curl -sS -i '${origin}/'`);
  });

  it('does not probe plain http on loopback', async () => {
    const results = await checkTransportSecurity(testContext('http://127.0.0.1:9/mcp', ['all']));
    expect(results.map((r) => [r.id, r.status])).toEqual([['server.tls', 'pass']]);
  });
});

describe('checkServerInfo behind a refused certificate', () => {
  it('says the server answered and points at the certificate check, not at a server that is down', async () => {
    const origin = await serveTls(await pki.selfSigned());
    const [result] = await checkServerInfo(testContext(`${origin}/mcp`, ['all']));
    expect(result).toMatchObject({ id: 'server.info', status: 'fail' });
    expect(result!.detail).toBe(`${origin}/ — TLS error (DEPTH_ZERO_SELF_SIGNED_CERT).`);
    expect(result!.fix).toContain('fix what the TLS certificate check (server.tls.cert) reports');
  });
});

describe('checkCertificate', () => {
  it('fails a self-signed certificate, asking for a public CA', async () => {
    const result = await certificateOf(await serveTls(await pki.selfSigned()));
    expect(result).toMatchObject({ id: 'server.tls.cert', status: 'fail' });
    expect(result.detail).toBe('The certificate for 127.0.0.1 is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT).');
    expect(result.fix).toContain('Use a certificate from a publicly trusted CA');
  });

  it('fails a leaf served without its intermediate, naming the incomplete chain and fullchain.pem', async () => {
    const leaf = await pki.leaf({ issuer: 'intermediate' });
    const result = await certificateOf(await serveTls(leaf));
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(
      /^The chain for 127\.0\.0\.1 is incomplete \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\): the server does not send the intermediate certificate of Doctor Test Intermediate CA/,
    );
    expect(result.fix).toContain('Serve the full chain, e.g. fullchain.pem, not cert.pem');
    expect(result.fix).toContain('ChatGPT and Claude do not');
  });

  it("uses Node's default trust store: a private root not added to it is not trusted", async () => {
    const origin = await serveTls(await pki.leaf());
    expect((await certificateOf(origin)).status).toBe('pass');
    const untrusted = await certificateOf(origin, []);
    expect(untrusted.status).toBe('fail');
    expect(untrusted.fix).toContain('fullchain.pem');
  });

  it("fails a name mismatch, listing the certificate's names and the host", async () => {
    const result = await certificateOf(await serveTls(await pki.leaf({ names: ['DNS:mcp.example.com'] })));
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('The certificate covers DNS:mcp.example.com, not 127.0.0.1.');
    expect(result.fix).toBe(
      'Install a certificate whose subjectAltName includes 127.0.0.1, or give clients a URL with a name the certificate covers.',
    );
  });

  it('fails an expired certificate with its date', async () => {
    const leaf = await pki.leaf({
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2020-02-01T00:00:00Z'),
    });
    const result = await certificateOf(await serveTls(leaf));
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('The certificate for 127.0.0.1 expired on 2020-02-01 (CERT_HAS_EXPIRED).');
    expect(result.fix).toContain('Renew the certificate');
  });

  it('fails a certificate that is not valid yet', async () => {
    const start = Date.now() + 10 * DAY_MS;
    const leaf = await pki.leaf({ notBefore: new Date(start), days: 90 });
    const result = await certificateOf(await serveTls(leaf));
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`The certificate for 127.0.0.1 is not valid before ${day(start)} (CERT_NOT_YET_VALID).`);
  });

  it('warns when the certificate expires within 14 days, with the date and the days left', async () => {
    const end = Date.now() + 5 * DAY_MS + 3_600_000;
    const result = await certificateOf(await serveTls(await pki.leaf({ notAfter: new Date(end) })));
    expect(result.status).toBe('warn');
    expect(result.detail).toMatch(
      new RegExp(`^The certificate expires on ${day(end)}, 5 days left: localhost issued by`),
    );
    expect(result.fix).toBe(
      `Renew the certificate before ${day(end)} and check that automatic renewal runs; clients refuse it from then on.`,
    );
  });

  it('fails clearly when nothing listens, without throwing', async () => {
    const port = await freePort();
    const result = await certificateOf(`https://127.0.0.1:${port}`);
    expect(result).toMatchObject({
      id: 'server.tls.cert',
      status: 'fail',
      detail: `No TLS connection to 127.0.0.1:${port}: connection refused (nothing is listening there).`,
    });
    expect(result.fix).toContain(`port ${port} is open to the internet`);
  });

  it('gives up after the timeout when the server never answers the handshake', async () => {
    const port = await listen(createTcpServer(() => undefined));
    const [result] = await checkCertificate({ ...testContext(`https://127.0.0.1:${port}`, ['all']), timeoutMs: 300 });
    expect(result!.detail).toBe(`No TLS connection to 127.0.0.1:${port}: no answer within 300 ms.`);
  });

  it('fails plain http behind an https URL as "does not speak TLS"', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('ok')));
    const result = await certificateOf(`https://127.0.0.1:${port}`);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      `127.0.0.1:${port} does not speak TLS: it most likely serves plain http on an https URL (ERR_SSL_WRONG_VERSION_NUMBER).`,
    );
    expect(result.fix).toContain(`Terminate TLS on port ${port}`);
  });

  it('fails a server that offers only TLS versions older than 1.2', async () => {
    // OpenSSL 3 allows TLS 1.0/1.1 only at security level 0.
    const origin = await serveTls(await pki.leaf(), {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    const result = await certificateOf(origin);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/offers no TLS 1\.2 or 1\.3, only an older version \(ERR_SSL_/);
    expect(result.fix).toContain('Enable TLS 1.2 and 1.3');
  });
});
