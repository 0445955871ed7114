/**
 * `POST /mcp`, `POST /mcp/readonly` and `POST /messages` served straight on node:http, in front of
 * express, when the request is plain: what almost every tool call is.
 *
 * Why: these POSTs are nearly all of the bridge's traffic, and express makes each one dearer: it gives
 * the request and response its prototypes (`Object.setPrototypeOf`, after which every property read on
 * them is slower), runs a dozen middleware with their closures, and reads the body through body-parser,
 * raw-body and iconv. Here the same checks run in the same order on node's own objects (Host, body,
 * token, rate limit), and the route's POST handler is the one express runs.
 *
 * Only the plain path is taken: a JSON body of known length, not compressed, in UTF-8; no query but
 * `?toolsets=` and `/messages?sessionId=…`; a Host this server answers; tracing off. Anything else is
 * left to express untouched, and so is a request whose body was read but which the depth check refuses:
 * its parsed body goes along (`req.body`; body-parser skips a body already read), so express answers it
 * exactly as before. The token is checked here once, counted by the rate limiter and, when refused,
 * answered here with the gate's challenge, as the express routes answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/server';
import type { Auth } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, refuseUnparsableBody } from '../inbound/body.js';
import { hostAllowed } from '../inbound/host-guard.js';
import type { RateLimiter } from '../inbound/rate-limit.js';
import {
  acceptedRequestId,
  closedStatus,
  frontHeaderList,
  mcpDetails,
  setHeaderList,
  writeAccessLog,
} from '../inbound/request-context.js';
import type { Logger } from '../../telemetry/logger.js';
import type { NodeHandler } from './index.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { type McpPost, callerOf } from '../caller.js';
import { isJsonRpcBody } from '../message-shape.js';

/** The paths the POST handler serves. */
export type McpPostPath = '/mcp' | '/mcp/readonly' | '/messages';

export interface PostHandlerDeps {
  config: Pick<Config, 'host' | 'publicUrl' | 'otelEndpoint' | 'maxBodyBytes' | 'legacySse'>;
  /** The bearer gate in two steps (the auth module's `checkToken` and `refuse`), as the express routes run it. */
  checkToken: Auth['checkToken'];
  refuse: Auth['refuse'];
  /** Whether a request without a token may go on (anonymous discovery), as on the express routes. */
  allowAnonymous?: (req: { method?: string; body?: unknown }) => boolean;
  /** The rate limiter's `admit`. */
  admit: RateLimiter['admit'];
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
  /** The client's address as the access log gives it for express routes (`req.ip`, honouring trust proxy). */
  clientIp: (req: IncomingMessage) => string | undefined;
  /** The route's POST handler, as express runs it after the middleware; `sessionId` is `/messages`' query. */
  serve: (
    path: McpPostPath,
    req: IncomingMessage,
    res: ServerResponse,
    post: McpPost,
    sessionId?: string,
  ) => Promise<void>;
  /** Answers a JSON body that is not JSON-RPC, as express's route does. */
  refuseNonJsonRpc: (res: ServerResponse, body: unknown) => void;
}

/** A `charset` other than UTF-8 is decoded by body-parser (iconv): left to express. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** Whether the body is JSON the handler can read as it stands: known length within the limit, no encoding, UTF-8. */
function isPlainJsonBody(req: IncomingMessage, maxBodyBytes: number): boolean {
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !isJsonContentType(type)) return false;
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  if (headers['transfer-encoding'] !== undefined) return false;
  const length = Number(headers['content-length'] ?? Number.NaN);
  return Number.isSafeInteger(length) && length > 0 && length <= maxBodyBytes;
}

/**
 * The target of a POST the handler may take: `/mcp` or `/mcp/readonly`, alone or with `?toolsets=` (which the
 * route reads), `/messages`, or `/messages?sessionId=…` alone. Anything else in the query (a token, a
 * second sessionId) is express's to answer.
 */
function plainTarget(url: string, legacySse: boolean): { path: McpPostPath; sessionId?: string } | undefined {
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  if (path !== '/mcp' && path !== '/mcp/readonly' && path !== '/messages') return undefined;
  if (at === -1) return { path };
  const query = new URLSearchParams(url.slice(at + 1));
  if (path !== '/messages') {
    for (const name of query.keys()) if (name !== 'toolsets') return undefined;
    return { path };
  }
  const sessionId = query.get('sessionId');
  return legacySse && sessionId !== null && query.size === 1 ? { path, sessionId } : undefined;
}

/** The gate's name for the protected resource a path belongs to. */
const PROTECTED_ROUTE = { '/mcp': 'mcp', '/mcp/readonly': 'mcp/readonly', '/messages': 'sse' } as const;

/** The body as text, or undefined when the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('close', () => resolve(undefined)); // after 'end' this changes nothing
  });
}

/** Parses the body as body-parser does: a UTF-8 byte order mark dropped, nothing left read as `{}`. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: json === '' ? {} : JSON.parse(json) };
  } catch {
    return { ok: false };
  }
}

/**
 * One request the handler reads: what its access-log line needs. A class rather than closures made per
 * request: the production bundle keeps function names (esbuild's `keepNames`), which wraps every named
 * closure in a call that sets its name each time it is made.
 */
class PostRequestLog {
  private readonly started = performance.now();

  constructor(
    private readonly deps: PostHandlerDeps,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: McpPostPath,
  ) {}

  /** Writes the request's access-log line (once its response has closed). */
  logClosed(requestId: string, body: unknown, sub: string | undefined): void {
    writeAccessLog(this.deps, {
      requestId,
      method: 'POST',
      route: this.route,
      ip: this.deps.clientIp(this.req),
      status: closedStatus(this.res),
      started: this.started,
      sub,
      ...mcpDetails(body),
    });
  }

  /** Takes the request: from here every answer is the handler's, with what express's front middleware add. */
  take(body: unknown, sub: string | undefined): string {
    const requestId = acceptedRequestId(this.req.headers);
    setHeaderList(this.res, frontHeaderList(requestId, this.req.headers.origin));
    this.res.once('close', () => this.logClosed(requestId, body, sub));
    return requestId;
  }
}

/**
 * Builds the POST handler, or undefined when this deployment needs express for every POST (tracing on:
 * the span middleware lives in express). `createFrontDoor` runs it before the express app.
 */
export function createPostHandler(deps: PostHandlerDeps): NodeHandler | undefined {
  const { config } = deps;
  if (config.otelEndpoint) return undefined;
  const allowedHost = hostAllowed(config);
  const leave = (req: IncomingMessage, body: unknown) => {
    (req as IncomingMessage & { body?: unknown }).body = body;
    return false;
  };

  return async (req, res) => {
    const target = req.method === 'POST' ? plainTarget(req.url ?? '', config.legacySse) : undefined;
    if (!target || !allowedHost(req.headers.host) || !isPlainJsonBody(req, config.maxBodyBytes)) return false;
    const log = new PostRequestLog(deps, req, res, target.path);
    const text = await readBody(req);
    if (text === undefined) {
      // The client left in the middle of its body: logged (499) as express logs it, nothing to answer.
      log.logClosed(acceptedRequestId(req.headers), undefined, undefined);
      res.destroy();
      return true;
    }
    const parsed = parseJson(text);

    if (!parsed.ok) {
      log.take(undefined, undefined);
      refuseUnparsableBody(res);
      return true;
    }
    const body = parsed.value;
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) return leave(req, body);
    // The body is looked at too: a token in it besides the header is refused by the gate.
    const sources = { rawHeaders: req.rawHeaders, body, socket: req.socket, url: req.url, method: 'POST' };
    const checked = await deps.checkToken(sources, deps.allowAnonymous);
    const requestId = log.take(body, checked.ok ? checked.auth?.sub : undefined);
    if (!(await deps.admit(req, res, checked))) return true;
    if (!checked.ok) {
      deps.refuse(sources, res, PROTECTED_ROUTE[target.path], checked);
      return true;
    }
    if (!isJsonRpcBody(body)) {
      deps.refuseNonJsonRpc(res, body);
      return true;
    }
    await deps.serve(
      target.path,
      req,
      res,
      { body, caller: checked.auth && callerOf(checked.auth, checked.token, requestId), requestId },
      target.sessionId,
    );
    return true;
  };
}
