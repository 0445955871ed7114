import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  type JSONRPCMessage,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Server,
  type Transport,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
} from '@modelcontextprotocol/server';
import { JsonRpcCode, sendJsonRpcError } from './jsonrpc.js';

/** The largest batch the SDK's Streamable HTTP transport accepts; the same limit here. */
const MAX_BATCH_SIZE = 100;

/**
 * An SDK `Transport` for one HTTP POST answered with JSON: it hands the POST's messages to the
 * connected `Server` and collects the answers to its requests.
 *
 * Why not the SDK's `WebStandardStreamableHTTPServerTransport` for these: it works on web `Request`
 * and `Response` objects, so a Node request was converted to a web one, its messages validated again,
 * the answer serialized into a `Response` and read back out of it: about two thirds of the SDK's cost
 * per call. The `Server` (protocol, handlers, validation of every request and result) is the SDK's
 * either way; only the carriage differs, and the SDK's own SSE-shaped answers still use its transport.
 */
class JsonExchangeTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  supportedProtocolVersions: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
  private readonly answers = new Map<RequestId, JSONRPCMessage>();

  constructor(
    private readonly expected: ReadonlySet<RequestId>,
    private readonly answered: (answers: Map<RequestId, JSONRPCMessage>) => void,
  ) {}

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedProtocolVersions = versions;
  }

  async start(): Promise<void> {}

  /** Keeps answers to the POST's requests; notifications the server sends meanwhile have no stream here. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    if (message.id === undefined || !this.expected.has(message.id)) return;
    this.answers.set(message.id, message);
    if (this.answers.size === this.expected.size) this.answered(this.answers);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}

/** What one JSON exchange needs: a fresh server, the caller's auth and where the answer goes. */
export interface JsonExchange {
  server: Server;
  req: IncomingMessage;
  res: ServerResponse;
  /** The parsed body, already checked to be JSON-RPC (one message or a non-empty batch). */
  body: unknown;
  authInfo: AuthInfo | undefined;
  /** Headers for the answer besides Content-Type (the session id). */
  headers?: Record<string, string>;
  /** A request never answered (a bug) must not hold its server forever. */
  giveUpMs: number;
}

/**
 * Serves one POST whose answer is JSON, with the rules of the SDK's stateless Streamable HTTP
 * transport: at most 100 messages in a batch, one `initialize` alone, a supported
 * `MCP-Protocol-Version` header on anything else, 202 with no body when there is no request in it,
 * else 200 with the answer (or the batch of answers, in request order).
 */
export async function serveJsonExchange(exchange: JsonExchange): Promise<void> {
  const { server, req, res, body } = exchange;
  const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
  const requestIds = messages.filter(isJSONRPCRequest).map((message) => message.id);
  let answered: (answers: Map<RequestId, JSONRPCMessage> | undefined) => void = () => {};
  const answers = new Promise<Map<RequestId, JSONRPCMessage> | undefined>((resolve) => {
    answered = resolve;
  });
  const transport = new JsonExchangeTransport(new Set(requestIds), answered);
  await server.connect(transport);
  // Closing is only needed to abort a handler still running. After every request is answered, the
  // server and transport are simply dropped: the SDK's close builds an Error with a stack trace to
  // settle pending work, and that was a measurable share of every call.
  let abandoned = false;
  try {
    const refusal = refusalOf(req, messages, transport.supportedProtocolVersions);
    if (refusal) return sendJsonRpcError(res, 400, refusal.code, refusal.message);
    for (const message of messages) transport.onmessage?.(message, { authInfo: exchange.authInfo });
    if (requestIds.length === 0) {
      res.writeHead(202, exchange.headers).end();
      return;
    }
    const timer = setTimeout(() => answered(undefined), exchange.giveUpMs);
    const collected = await answers;
    clearTimeout(timer);
    if (!collected) {
      abandoned = true;
      return sendJsonRpcError(
        res,
        500,
        JsonRpcCode.InternalError,
        'Internal error: the request was not answered in time',
      );
    }
    const ordered = [...new Set(requestIds)].map((id) => collected.get(id));
    const payload = JSON.stringify(Array.isArray(body) ? ordered : ordered[0]);
    res
      .writeHead(200, {
        ...exchange.headers,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(payload)),
      })
      .end(payload);
  } finally {
    if (abandoned) await server.close();
  }
}

/** What the SDK's transport refuses before a message reaches the server, as the same JSON-RPC errors. */
function refusalOf(
  req: IncomingMessage,
  messages: JSONRPCMessage[],
  supported: readonly string[],
): { code: number; message: string } | undefined {
  if (messages.length > MAX_BATCH_SIZE) {
    return {
      code: JsonRpcCode.InvalidRequest,
      message: `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`,
    };
  }
  if (messages.some((message) => isInitializeRequest(message))) {
    return messages.length > 1
      ? { code: JsonRpcCode.InvalidRequest, message: 'Invalid Request: Only one initialization request is allowed' }
      : undefined;
  }
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && !supported.includes(String(version))) {
    return {
      code: JsonRpcCode.ServerError,
      message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supported.join(', ')})`,
    };
  }
  return undefined;
}
