/**
 * The server's certificate as a cloud client sees it (clients.md §5 check 1): one TLS handshake with SNI,
 * verified against Node's default trust store, then judged for chain, dates, name and protocol version.
 * ChatGPT and Claude connect from their servers with a stock trust store and never fetch a missing
 * intermediate, so a chain a browser accepts can still fail for them.
 */
import { isIP } from 'node:net';
import { type PeerCertificate, checkServerIdentity, connect, rootCertificates } from 'node:tls';
import { curlFor, describeNetworkError } from '../http.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

const ID = 'server.tls.cert';
const TITLE = 'TLS certificate';
const DAY_MS = 86_400_000;
/** A certificate expiring sooner than this is a warning: renewal has stalled. */
const EXPIRY_WARNING_DAYS = 14;

/** What one handshake showed. `error` is in words a person can act on; `code` is Node's or OpenSSL's. */
type TlsProbe =
  | {
      ok: true;
      cert: PeerCertificate;
      /** Negotiated version, e.g. `TLSv1.3`. */
      protocol: string;
      /** Why the chain is not trusted (an OpenSSL code such as `CERT_HAS_EXPIRED`); undefined when it is. */
      chainError: string | undefined;
    }
  | { ok: false; code: string | undefined; error: string };

/**
 * Opens one TLS 1.2+ connection to `host:port` with SNI (for names, not IP addresses) and reads the
 * peer certificate. Trusts Node's default store, which already includes `NODE_EXTRA_CA_CERTS`;
 * `extraCa` adds roots to it. Never throws; gives up after `timeoutMs`.
 */
function probeTls(
  host: string,
  port: number,
  extraCa: readonly string[] | undefined,
  timeoutMs: number,
): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      // What ChatGPT and Claude accept, whatever --tls-min-v1.x this Node was started with.
      minVersion: 'TLSv1.2',
      // An explicit `ca` replaces the default store, so the default roots are listed with the extra ones.
      ca: extraCa?.length ? [...rootCertificates, ...extraCa] : undefined,
      // Finish the handshake whatever the verdict, so the certificate can be described.
      rejectUnauthorized: false,
      // The name is judged with the chain in judgeCertificate, against what the user typed.
      checkServerIdentity: () => undefined,
    });
    let settled = false;
    const settle = (result: TlsProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => settle({ ok: false, code: 'ETIMEDOUT', error: describeNetworkError({ name: 'TimeoutError' }, timeoutMs) }),
      timeoutMs,
    );
    socket.on('secureConnect', () =>
      settle({
        ok: true,
        cert: socket.getPeerCertificate(),
        protocol: socket.getProtocol() ?? 'an unknown TLS version',
        // Node types this as an Error; at run time it is the OpenSSL code (a string).
        chainError: socket.authorized ? undefined : String(socket.authorizationError),
      }),
    );
    socket.on('error', (error: NodeJS.ErrnoException & { reason?: string }) =>
      settle({
        ok: false,
        code: error.code,
        error: error.code?.startsWith('ERR_SSL_')
          ? (error.reason ?? error.message)
          : describeNetworkError(error, timeoutMs),
      }),
    );
  });
}

/** The host of a URL as sockets and certificates name it: IPv6 without brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** `YYYY-MM-DD` of a certificate date such as `Nov 25 15:00:00 2027 GMT`. */
function day(certDate: string): string {
  const date = new Date(certDate);
  return Number.isNaN(date.getTime()) ? certDate : date.toISOString().slice(0, 10);
}

/** A name for a subject or issuer: its common name, else its organisation. */
function nameOf(entity: PeerCertificate['subject'] | undefined): string {
  const name = entity?.CN ?? entity?.O;
  return name ? String(name) : 'an unnamed entity';
}

/** The names a certificate covers, as a person reads them. */
function namesOf(cert: PeerCertificate): string {
  return cert.subjectaltname || `CN=${nameOf(cert.subject)} (no subjectAltName)`;
}

interface Problem {
  detail: string;
  fix: string;
}

const FULL_CHAIN_FIX =
  'Serve the full chain, e.g. fullchain.pem, not cert.pem, of a certificate from a publicly trusted CA; browsers fetch a missing intermediate, ChatGPT and Claude do not.';
const PUBLIC_CA_FIX =
  "Use a certificate from a publicly trusted CA (e.g. Let's Encrypt); ChatGPT and Claude trust only public roots.";

/** What is wrong with the chain, from the code OpenSSL gave. */
function chainProblem(code: string, cert: PeerCertificate, host: string): Problem {
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        detail: `The chain for ${host} is incomplete (${code}): the server does not send the intermediate certificate of ${nameOf(cert.issuer)}, or that issuer is not a public CA.`,
        fix: FULL_CHAIN_FIX,
      };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { detail: `The certificate for ${host} is self-signed (${code}).`, fix: PUBLIC_CA_FIX };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return {
        detail: `The chain for ${host} ends in a self-signed root that is not publicly trusted (${code}).`,
        fix: PUBLIC_CA_FIX,
      };
    case 'CERT_HAS_EXPIRED':
      return {
        detail: `The certificate for ${host} expired on ${day(cert.valid_to)} (${code}).`,
        fix: 'Renew the certificate, reload the server or load balancer that serves it, and check that automatic renewal runs.',
      };
    case 'CERT_NOT_YET_VALID':
      return {
        detail: `The certificate for ${host} is not valid before ${day(cert.valid_from)} (${code}).`,
        fix: 'Install a certificate that is valid now; if it was just issued, check the clock of this machine and of the server.',
      };
    default:
      return {
        detail: `The certificate for ${host} is not trusted (${code}).`,
        fix: `Install a certificate from a publicly trusted CA with its full chain; ${code} is what the TLS library rejected.`,
      };
  }
}

/** What the handshake failure means, from its OpenSSL code. */
function handshakeProblem(code: string | undefined, error: string, where: string, port: string): Problem {
  if (code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') {
    return {
      detail: `${where} offers no TLS 1.2 or 1.3, only an older version (${code}).`,
      fix: 'Enable TLS 1.2 and 1.3 on the server or load balancer; clients refuse older versions.',
    };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return {
      detail: `${where} does not speak TLS: it most likely serves plain http on an https URL (${code}).`,
      fix: `Terminate TLS on port ${port} (a reverse proxy or load balancer with a certificate), or use an http:// URL for a loopback test server.`,
    };
  }
  return {
    detail: `The TLS handshake with ${where} failed: ${error} (${code ?? 'no code'}).`,
    fix: `Check the TLS settings of the server or load balancer on port ${port}; the curl command with -v shows the handshake.`,
  };
}

/**
 * The verdict on one probe of `origin` (an `https:` origin): fail for any reason a stock
 * client would refuse the connection, warn when the certificate expires within two weeks.
 */
function judgeCertificate(origin: string, url: URL, probe: TlsProbe): CheckResult {
  const host = hostOf(url);
  const port = url.port || '443';
  const curl = curlFor({ url: `${origin}/` });
  if (!probe.ok) {
    if (probe.code?.startsWith('ERR_SSL_')) {
      return fail(ID, TITLE, { ...handshakeProblem(probe.code, probe.error, url.host, port), curl });
    }
    return fail(ID, TITLE, {
      detail: `No TLS connection to ${url.host}: ${probe.error}.`,
      fix: `Make sure ${host} resolves to the server and port ${port} is open to the internet with TLS in front of the bridge.`,
      curl,
    });
  }
  const { cert, protocol, chainError } = probe;
  const problems: Problem[] = [];
  if (chainError) problems.push(chainProblem(chainError, cert, host));
  const nameError = checkServerIdentity(host, cert);
  if (nameError) {
    problems.push({
      detail: `The certificate covers ${namesOf(cert)}, not ${host}.`,
      fix: `Install a certificate whose subjectAltName includes ${host}, or give clients a URL with a name the certificate covers.`,
    });
  }
  if (problems.length > 0) {
    return fail(ID, TITLE, {
      detail: problems.map((p) => p.detail).join(' '),
      fix: problems.map((p) => p.fix).join(' '),
      curl,
    });
  }
  const expires = day(cert.valid_to);
  const daysLeft = Math.floor((new Date(cert.valid_to).getTime() - Date.now()) / DAY_MS);
  const left = daysLeft < 1 ? 'less than a day left' : `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`;
  const about = `${nameOf(cert.subject)} issued by ${nameOf(cert.issuer)}, valid until ${expires} (${left}), ${protocol}.`;
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    return warn(ID, TITLE, {
      detail: `The certificate expires on ${expires}, ${left}: ${about}`,
      fix: `Renew the certificate before ${expires} and check that automatic renewal runs; clients refuse it from then on.`,
      curl,
    });
  }
  return pass(ID, TITLE, { detail: about, curl });
}

/** Probes the target's certificate within the doctor's timeout, trusting `ctx.tlsCa` besides the default roots. */
export async function checkCertificate(ctx: DoctorContext): Promise<CheckResult[]> {
  const url = new URL(ctx.target.origin);
  const probe = await probeTls(hostOf(url), Number(url.port || 443), ctx.tlsCa, ctx.timeoutMs);
  return [judgeCertificate(ctx.target.origin, url, probe)];
}
