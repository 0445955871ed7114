/**
 * `POST /mcp` and `POST /messages` served straight on node:http, in front of express, when the request
 * is plain: what almost every tool call is.
 *
 * Why: these POSTs are nearly all of the bridge's traffic, and express costs each one a tenth or more
 * of its CPU: it gives the request and response express's prototypes (`Object.setPrototypeOf`, after
 * which every property read on them is slower), runs a dozen middleware with their closures, and reads
 * the body through body-parser, raw-body and iconv. Here the same checks run in the same order on
 * node's own objects, and the route's POST handler is the one express runs.
 *
 * Only the plain path is taken: a JSON body of known length, not compressed, in UTF-8; a bearer token
 * that verifies; no query string but `/messages?sessionId=…`; a Host this server answers; tracing off.
 * Anything else is left to express untouched, and so is a request whose body was read but which the
 * gate or the depth check would refuse: its parsed body goes along (`req.body`; body-parser skips a body
 * already read), so express answers it exactly as before. Every answer that leaves this lane is made
 * by the same functions express's middleware use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/server';
import { type VerifiedToken, extractBearerToken, verifyOnce } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, refuseUnparsableBody } from '../http/body.js';
import { hostAllowed } from '../http/host-guard.js';
import { type RateLimitDecision, applyRateLimit } from '../http/rate-limit.js';
import {
  acceptedRequestId,
  closedStatus,
  frontHeaderList,
  mcpDetails,
  setHeaderList,
  writeAccessLog,
} from '../http/request-context.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type McpPost, callerOf } from './caller.js';
import { isJsonRpcBody } from './message-shape.js';

/** The paths this lane serves POSTs on. */
export type PostLanePath = '/mcp' | '/messages';

export interface PostLaneDeps {
  config: Pick<Config, 'host' | 'publicUrl' | 'otelEndpoint' | 'maxBodyBytes' | 'legacySse'>;
  /** The auth module's `verify`. */
  verify: (token: string) => Promise<VerifiedToken>;
  /** The rate limiter's `check` (per user, as express's route counts after the gate). */
  rateLimit: (kind: 'user', id: string) => Promise<RateLimitDecision | undefined>;
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
  /** The client's address as the access log gives it for express routes (`req.ip`, honouring trust proxy). */
  clientIp: (req: IncomingMessage) => string | undefined;
  /** The route's POST handler, as express runs it after the middleware; `sessionId` is `/messages`' query. */
  serve: (
    path: PostLanePath,
    req: IncomingMessage,
    res: ServerResponse,
    post: McpPost,
    sessionId?: string,
  ) => Promise<void>;
  /** Answers a JSON body that is not JSON-RPC, as express's route does. */
  refuseNonJsonRpc: (res: ServerResponse, body: unknown) => void;
}

/** Serves a request and resolves true, or resolves false having left it to express (see the module comment). */
export type PostLane = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A `charset` other than UTF-8 is decoded by body-parser (iconv): left to express. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** Whether the body is JSON the lane can read as it stands: known length within the limit, no encoding, UTF-8. */
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

/** The target of a POST the lane may take: `/mcp`, `/messages`, or `/messages?sessionId=…` alone. */
function plainTarget(url: string, legacySse: boolean): { path: PostLanePath; sessionId?: string } | undefined {
  if (url === '/mcp' || url === '/messages') return { path: url };
  if (!legacySse || !url.startsWith('/messages?')) return undefined;
  const query = new URLSearchParams(url.slice('/messages?'.length));
  const sessionId = query.get('sessionId');
  // Anything else in the query (a token, a second sessionId) is express's to answer.
  return sessionId !== null && query.size === 1 ? { path: '/messages', sessionId } : undefined;
}

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

/** The token of a request whose body is parsed, or undefined where the gate would refuse or ask (no token). */
function bearerToken(req: IncomingMessage, body: unknown): string | undefined {
  try {
    // The body is looked at too: a token in it besides the header is refused by the gate.
    return extractBearerToken({ rawHeaders: req.rawHeaders, body });
  } catch {
    return undefined;
  }
}

/**
 * One request the lane reads: what its access-log line needs. A class rather than closures made per
 * request: the production bundle keeps function names (esbuild's `keepNames`), which wraps every named
 * closure in a call that sets its name each time it is made.
 */
class LaneRequest {
  private readonly started = performance.now();

  constructor(
    private readonly deps: PostLaneDeps,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: PostLanePath,
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

  /** Takes the request: from here every answer is the lane's, with what express's front middleware add. */
  take(body: unknown, sub: string | undefined): string {
    const requestId = acceptedRequestId(this.req.headers);
    setHeaderList(this.res, frontHeaderList(requestId, this.req.headers.origin));
    this.res.once('close', () => this.logClosed(requestId, body, sub));
    return requestId;
  }
}

/**
 * Builds the lane, or undefined when this deployment needs express for every POST (tracing on: the span
 * middleware lives in express). Mount it before the express app for POSTs to `/mcp` and `/messages`:
 * `(await lane(req, res)) || app(req, res)`.
 */
export function createPostLane(deps: PostLaneDeps): PostLane | undefined {
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
    const lane = new LaneRequest(deps, req, res, target.path);
    const text = await readBody(req);
    if (text === undefined) {
      // The client left in the middle of its body: logged (499) as express logs it, nothing to answer.
      lane.logClosed(acceptedRequestId(req.headers), undefined, undefined);
      res.destroy();
      return true;
    }
    const parsed = parseJson(text);

    if (!parsed.ok) {
      lane.take(undefined, undefined);
      refuseUnparsableBody(res);
      return true;
    }
    const body = parsed.value;
    const token = bearerToken(req, body);
    if (token === undefined || nestsDeeperThan(body, MAX_JSON_DEPTH)) return leave(req, body);
    let auth: VerifiedToken;
    try {
      auth = await verifyOnce(req, token, deps.verify);
    } catch {
      return leave(req, body); // the gate answers with the challenge (without checking the token again)
    }
    const requestId = lane.take(body, auth.sub);
    const decision = await deps.rateLimit('user', auth.sub);
    if (decision && !applyRateLimit(res, decision)) return true;
    if (!isJsonRpcBody(body)) {
      deps.refuseNonJsonRpc(res, body);
      return true;
    }
    await deps.serve(
      target.path,
      req,
      res,
      { body, caller: callerOf(auth, token, requestId), requestId },
      target.sessionId,
    );
    return true;
  };
}
