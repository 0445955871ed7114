/**
 * The NeonPanel sandbox: a local stand-in for my.neonpanel.com (OAuth authorization server + the 59
 * operations of NeonPanel API 1.2 over seeded data), with faults and misbehaviours on demand. Tests, the
 * demo and the benchmark start it in-process with `startSandbox()`; `npm run sandbox` runs it alone (main.ts).
 * It never imports src/: it tests the bridge from outside.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { apiRouter } from './api/index.js';
import { loadApiOperations, matchOperation } from './api/spec.js';
import { ClientMetadataDocuments } from './as/cimd.js';
import { ClientStore } from './as/clients.js';
import type { AsContext } from './as/context.js';
import { GrantStore } from './as/grants.js';
import { authorizationServer } from './as/index.js';
import { controlRouter } from './control.js';
import { sandboxData } from './data/seed.js';
import { createFaults } from './faults.js';
import { KeyStore } from './keys.js';
import { createMisbehaviour } from './misbehave.js';
import { RequestLog } from './request-log.js';
import type { IssueTokenOptions, Sandbox, SandboxKeys, SandboxOptions } from './types.js';

export type { CimdSettings } from './as/cimd.js';
export type { SandboxData, SandboxUser } from './data/model.js';
export type { FaultControl, FaultKind, FaultRule } from './faults.js';
export type { AsMisbehaviour, AsMisbehaviourSettings } from './misbehave.js';
export type { RequestLogEntry, SandboxRequestLog } from './request-log.js';
export type { IssueTokenOptions, Sandbox, SandboxKeys, SandboxOptions } from './types.js';

const DEFAULTS = {
  host: '127.0.0.1',
  tokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  importDelayMs: 1500,
  dataSeed: 20240101,
  faultSeed: 1,
  requestLogLimit: 100_000,
};

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The URL to reach `host`: a wildcard bind is reached over loopback; IPv6 literals get brackets. */
function originOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** One line per request (path only: query strings may carry codes and states). */
function accessLog(sink: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('close', () => {
      const status = res.writableFinished ? res.statusCode : 'aborted';
      sink(`${req.method} ${req.path} ${status} ${Math.round(performance.now() - started)}ms`);
    });
    next();
  };
}

/** Last resort: bad bodies are 4xx JSON, anything else a 500 JSON without internals. */
const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  const message =
    status === 413
      ? 'The request body is too large.'
      : status < 500
        ? 'The request body is malformed.'
        : 'Server Error';
  if (status === 500) console.error('sandbox: unexpected error', error);
  res.status(status).json({ message });
};

/** Starts a sandbox; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? DEFAULTS.host;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds;
  // RSA key generation runs on the thread pool while this thread parses the document and seeds the data.
  const keyStorePromise = KeyStore.create();
  const operations = loadApiOperations();
  const data = sandboxData(options.dataSeed ?? DEFAULTS.dataSeed);
  const keyStore = await keyStorePromise;
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host);
  const url = (options.publicUrl ?? originOf(host, port)).replace(/\/+$/, '');
  const issuer = options.issuer ?? url;
  const misbehave = createMisbehaviour();
  const requestLog = new RequestLog(options.requestLogLimit ?? DEFAULTS.requestLogLimit);
  const faults = createFaults({
    seed: options.faultSeed ?? DEFAULTS.faultSeed,
    operationOf: (method, path) => matchOperation(operations, method, path).operation?.operationId,
  });

  const issueToken = (claims: IssueTokenOptions): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: issuer,
      sub: claims.sub,
      iat: now,
      exp: now + (claims.expiresIn ?? tokenTtlSeconds),
      scope: claims.scope ?? 'openid',
      client_id: 'sandbox-issued',
      jti: randomUUID(),
    };
    if (claims.aud !== undefined) payload.aud = claims.aud;
    if (claims.notBefore !== undefined) payload.nbf = now + claims.notBefore;
    return keyStore.sign({ payload: { ...payload, ...claims.extraClaims }, kid: claims.kid });
  };
  const keys: SandboxKeys = {
    get currentKid() {
      return keyStore.currentKid;
    },
    get kids() {
      return keyStore.kids;
    },
    rotate: (rotateOptions) => keyStore.rotate(rotateOptions),
  };

  const asContext: AsContext = {
    issuer,
    publicUrl: url,
    keys: keyStore,
    misbehave,
    clients: new ClientStore(),
    cimd: options.cimd ? new ClientMetadataDocuments(options.cimd === true ? {} : options.cimd) : undefined,
    grants: new GrantStore(),
    tokenTtlSeconds,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? DEFAULTS.refreshTokenTtlSeconds,
    autoApprove: options.autoApprove,
    users: data.users,
  };
  if (options.autoApprove && !data.users[options.autoApprove]) {
    server.close();
    throw new Error(
      `startSandbox: autoApprove "${options.autoApprove}" is not a demo user (${Object.keys(data.users).join(', ')})`,
    );
  }
  const api = apiRouter({
    operations,
    data,
    users: data.users,
    keys: keyStore,
    issuer,
    publicUrl: url,
    importDelayMs: options.importDelayMs ?? DEFAULTS.importDelayMs,
    requestLog,
  });

  const app = express();
  app.disable('x-powered-by');
  if (options.logRequests) {
    app.use(
      accessLog(options.logRequests === true ? (line) => process.stderr.write(`${line}\n`) : options.logRequests),
    );
  }
  app.use('/api', api.logRequests);
  app.use(controlRouter({ faults: faults.control, misbehave, keys, requestLog, issueToken }));
  app.use(faults.middleware);
  app.use(authorizationServer(asContext));
  app.use('/api', api.router);
  app.use((req, res) => {
    res.status(404).json({ message: `Not found: ${req.method} ${req.path}` });
  });
  app.use(jsonErrors);
  server.on('request', app);

  return {
    url,
    issuer,
    port,
    issueToken,
    faults: faults.control,
    keys,
    misbehave,
    requestLog,
    users: data.users,
    data,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests and keep-alive sockets would hold close() forever; drop them.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
