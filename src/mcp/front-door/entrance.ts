/**
 * The checks every request to an MCP path passes, once, in this order, and the answers to what they refuse:
 *
 *   request id + access log + CORS headers → Host → CORS preflight → path switched off → body (POST)
 *   → [tracing span] → token → rate limit → method → JSON-RPC → the path's handler (`routes.ts`)
 *
 * The token is checked before the method, so a request without one gets the 401 challenge whatever its
 * method: that is how clients discover OAuth. It is checked after the body, so anonymous discovery (when
 * the deployment allows it) can read the JSON-RPC method, and a token sent in the body is refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Auth } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { withSpan } from '../../telemetry/tracing.js';
import { callerOf } from '../caller.js';
import { answerFailure } from '../failure.js';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from '../jsonrpc.js';
import { isJsonRpcBody } from '../message-shape.js';
import { singleMethod } from '../observe.js';
import { readJsonBody } from '../inbound/body.js';
import { answerPreflight } from '../inbound/cors.js';
import { hostAllowed, refuseForeignHost } from '../inbound/host-guard.js';
import { type RateLimiter, applyRateLimit, rateLimitHeaderList } from '../inbound/rate-limit.js';
import {
  acceptedRequestId,
  closedStatus,
  commonHeaderList,
  mcpDetails,
  setHeaderList,
  writeAccessLog,
} from '../inbound/request-context.js';
import type { McpPath, McpRoute, McpRoutes } from '../routes.js';
import type { McpEntrance } from './index.js';

export interface EntranceDeps {
  config: Pick<Config, 'host' | 'publicUrl' | 'maxBodyBytes' | 'otelEndpoint'>;
  routes: Pick<McpRoutes, 'paths' | 'allowAnonymous'>;
  /** The bearer gate in two steps (the auth module's `checkToken` and `refuse`): check, count, then answer. */
  checkToken: Auth['checkToken'];
  refuse: Auth['refuse'];
  /** The rate limiter's `countChecked`: counts a checked request per user or per client IP. */
  countChecked: RateLimiter['countChecked'];
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
  /** The client's address (`req.ip`'s rule, honouring trust proxy), for the access log. */
  clientIp: (req: IncomingMessage) => string | undefined;
}

/** Valid JSON that is not JSON-RPC is an Invalid Request (-32600), answered before any transport sees it. */
function refuseNonJsonRpc(res: ServerResponse, body: unknown): void {
  sendJsonRpcError(
    res,
    400,
    JsonRpcCode.InvalidRequest,
    'Invalid Request: the body must be a JSON-RPC 2.0 message like {"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    { id: requestIdOf(body) },
  );
}

/**
 * One request to an MCP path: its id, the headers every answer carries, and its access-log line. A class
 * rather than closures made per request: the production bundle keeps function names (esbuild's
 * `keepNames`), which wraps every named closure in a call that sets its name each time it is made.
 */
class InboundRequest {
  readonly started = performance.now();
  readonly requestId: string;
  /** The headers of every answer: set on the response at once, or held for a stream's head (`holdsStream`). */
  readonly headers: string[];
  private headersSet = false;
  body: unknown;
  sub: string | undefined;

  constructor(
    private readonly deps: EntranceDeps,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: McpPath,
    holdsHeaders: boolean,
  ) {
    this.requestId = acceptedRequestId(req.headers);
    this.headers = commonHeaderList(this.requestId, req.headers.origin);
    if (!holdsHeaders) this.answering();
    res.once('close', () => this.logClosed());
  }

  /** The response, with the headers every answer carries set on it: for any answer but a stream's head. */
  answering(): ServerResponse {
    if (!this.headersSet) setHeaderList(this.res, this.headers);
    this.headersSet = true;
    return this.res;
  }

  /** Headers the answer carries, added once the request is counted (`RateLimit-*`). */
  addHeaders(list: readonly string[]): void {
    if (this.headersSet) setHeaderList(this.res, list);
    else this.headers.push(...list);
  }

  private logClosed(): void {
    writeAccessLog(this.deps, {
      requestId: this.requestId,
      method: this.req.method ?? '',
      route: this.path,
      ip: this.deps.clientIp(this.req),
      status: closedStatus(this.res),
      started: this.started,
      sub: this.sub,
      ...mcpDetails(this.body),
    });
  }
}

/**
 * A server span around the rest of an MCP request, continuing the client's `traceparent`, ended when the
 * response closes (for `GET /sse`, when the stream ends).
 */
function traced(inbound: InboundRequest, run: () => Promise<void>): Promise<void> {
  const { req, res } = inbound;
  const protocol = req.headers['mcp-protocol-version'];
  return withSpan(
    'mcp.request',
    {
      'http.request.method': req.method,
      'http.route': inbound.path,
      // Bounded: both are whatever the client sent.
      'mcp.method.name': singleMethod(inbound.body)?.slice(0, 100),
      'mcp.protocol.version': typeof protocol === 'string' ? protocol.slice(0, 40) : undefined,
    },
    (span) =>
      new Promise<void>((resolve, reject) => {
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (inbound.sub !== undefined) span.setAttribute('enduser.id', inbound.sub);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          resolve();
        });
        run().catch(reject);
      }),
    { kind: 'server', parentHeaders: req.headers },
  );
}

/** Builds the entrance the front door runs for every request to an MCP path. */
export function createMcpEntrance(deps: EntranceDeps): McpEntrance {
  const { config, routes } = deps;
  const allowedHost = hostAllowed(config);

  /** Token → rate limit → method → JSON-RPC → the path's handler. */
  async function gateAndServe(inbound: InboundRequest, route: McpRoute, query: URLSearchParams): Promise<void> {
    const { req, res, body } = inbound;
    // The query and the body are looked at too: a token sent there is refused, alone or beside the header.
    const sources = {
      rawHeaders: req.rawHeaders,
      query,
      body,
      socket: req.socket,
      url: req.url,
      method: req.method,
    };
    const checked = await deps.checkToken(sources, routes.allowAnonymous);
    inbound.sub = checked.ok ? checked.auth?.sub : undefined;
    const decision = await deps.countChecked(req, checked);
    if (decision) {
      inbound.addHeaders(rateLimitHeaderList(decision));
      if (!decision.allowed) return void applyRateLimit(inbound.answering(), decision);
    }
    if (!checked.ok) return deps.refuse(sources, inbound.answering(), route.resource, checked);
    const methodRefusal = route.methodNotServed(req);
    if (methodRefusal) return methodRefusal(inbound.answering());
    if (route.readsBody && req.method === 'POST' && !isJsonRpcBody(body)) return refuseNonJsonRpc(res, body);

    const { requestId } = inbound;
    const caller = checked.auth && callerOf(checked.auth, checked.token, requestId);
    try {
      await route.serve(req, res, { body, caller, requestId }, query, inbound.headers);
    } catch (error) {
      answerFailure(inbound.answering(), error, { requestId, id: requestIdOf(body), logger: deps.logger });
    }
  }

  return async (path, queryText, req, res) => {
    const route = routes.paths[path];
    const inbound = new InboundRequest(deps, req, res, path, route.holdsStream && req.method === 'GET');
    if (!allowedHost(req.headers.host))
      return refuseForeignHost(inbound.answering(), req.headers.host, config.publicUrl);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    const query = new URLSearchParams(queryText);
    const disabled = route.disabled(query);
    if (disabled) return disabled(inbound.answering());
    if (route.readsBody && req.method === 'POST') {
      const read = await readJsonBody(req, config.maxBodyBytes);
      if (!read.ok) {
        // A client that left in the middle of its body is logged (499) when its connection closes.
        if ('gone' in read) return void res.destroy();
        return read.refuse(res);
      }
      inbound.body = read.value;
    }
    return config.otelEndpoint
      ? traced(inbound, () => gateAndServe(inbound, route, query))
      : gateAndServe(inbound, route, query);
  };
}
