import {
  type CallToolRequest,
  type CallToolResult,
  type ListToolsResult,
  type McpRequestContext,
  ProtocolError,
  ProtocolErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { createServerExtensions } from '../apps/register.js';
import type { Logger } from '../telemetry/logger.js';
import { withSpan } from '../telemetry/tracing.js';
import type { Toolset } from '../tools/index.js';
import type { ToolContext } from '../tools/types.js';
import { type Caller, fromAuthInfo } from './caller.js';
import { FIRST_MODERN_REVISION } from './era.js';
import { serverIdentity } from './package-info.js';

/** What the server factory needs: the tool catalog (built once), a logger and MCP_PUBLIC_URL (for the icons). */
export interface McpServerFactoryDeps {
  toolset: Pick<Toolset, 'get' | 'list' | 'refusal'>;
  logger: Logger;
  publicUrl: string;
  /** Serve the MCP Apps views (`MCP_APPS`); default true. The workflow prompts are always served. */
  apps?: boolean;
}

/**
 * Builds a fresh low-level MCP `Server` for one request, connection or session. Cheap by design. The era
 * is the SDK's factory context (`createMcpHandler` passes it too); without one the server is 2025-era.
 */
export type BuildServer = (context?: Pick<McpRequestContext, 'era'>) => Server;

const INSTRUCTIONS =
  'Tools for NeonPanel (inventory, landed cost, COGS and revenue for e-commerce sellers). ' +
  'Start with list_companies to find the company uuids the other tools take.';

/** A tool result that tells the model something failed on our side, with the id to report. */
function unexpectedFailure(toolName: string, requestId: string): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `The ${toolName} tool failed unexpectedly on the bridge (request id ${requestId}). Try again; if it keeps failing, report this request id.`,
      },
    ],
    isError: true,
  };
}

/**
 * Defines the MCP surface once and returns the factory every transport uses.
 *
 * Everything expensive is done here, once: the tool list and schemas, the name index and the JSON
 * Schema validator. Each call of the returned function only wires the tool handlers and the prompts' and
 * views' handlers (`extensions.register`) onto a new low-level `Server` (the SDK's per-request construction
 * is its main cost, so it must stay this small).
 * Tools keep their raw JSON Schemas; `tool.call` validates its own arguments.
 */
export function createMcpServerFactory(deps: McpServerFactoryDeps): BuildServer {
  // The SDK's Tool type is wider than ours (the JSON Schemas are plain objects): same wire shape.
  const extensions = createServerExtensions(deps.toolset.list().tools, deps.apps ?? true);
  const listResult = extensions.withViews(deps.toolset.list()) as ListToolsResult;
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const serverInfo = serverIdentity(deps.publicUrl);
  const capabilities = { tools: { listChanged: false }, ...extensions.capabilities };
  const options = { capabilities, instructions: INSTRUCTIONS, jsonSchemaValidator };
  // A server that lists the 2026-07-28 revision answers `server/discover`, and binds to the revision when
  // connected to a per-request transport that names it. A 2025-era server keeps the SDK's default list, so
  // a session POST naming 2026-07-28 in its header is still refused as an unsupported version.
  const modernOptions = {
    ...options,
    supportedProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS, FIRST_MODERN_REVISION],
  };
  // A connection that chose a view (`/mcp/readonly`, `?toolsets=`) gets that view's list, also computed once.
  const listTools = (_request: unknown, ctx: ServerContext) => {
    const view = fromAuthInfo(ctx.http?.authInfo)?.view;
    return view ? (extensions.withViews(deps.toolset.list(view)) as ListToolsResult) : listResult;
  };
  const callTool = createToolCallHandler(deps);

  // The SDK copies `capabilities` per server and never writes to `options` or `serverInfo`: safe to share.
  return (context) => {
    const server = new Server(serverInfo, context?.era === 'modern' ? modernOptions : options);
    server.setRequestHandler('tools/list', listTools);
    server.setRequestHandler('tools/call', callTool);
    extensions.register(server);
    return server;
  };
}

/**
 * What a tool call gets: the caller (the object the route built, as the SDK handed it over) and a logger
 * built on first use (a call that goes well logs nothing at info, and a child logger per call was a
 * measurable cost).
 *
 * A class, not an object literal with `get logger()`: a getter in a literal is a new accessor on every
 * object, which V8 cannot share between objects, and such objects kept what the getter's closure reaches
 * (the SDK's request context, and through it the per-request server) alive through young collections
 * until the next full one (bench/findings.md has the measurement). A class getter is one accessor, on the
 * prototype.
 */
class ToolCallContext implements ToolContext {
  private child: Logger | undefined;

  constructor(
    readonly caller: Caller,
    readonly signal: AbortSignal,
    private readonly makeLogger: () => Logger,
  ) {}

  get logger(): Logger {
    this.child ??= this.makeLogger();
    return this.child;
  }
}

/** The `tools/call` handler: one function for every server the factory builds. */
function createToolCallHandler(deps: McpServerFactoryDeps) {
  return async (request: CallToolRequest, ctx: ServerContext): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = deps.toolset.get(name);
    if (!tool) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown tool "${name}" in params.name; call tools/list for the available tools`,
      );
    }
    const caller = fromAuthInfo(ctx.http?.authInfo);
    if (!caller) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        'tools/call needs a bearer token: send Authorization: Bearer <token> (sign in to NeonPanel first)',
      );
    }
    const context = new ToolCallContext(caller, ctx.mcpReq.signal, () =>
      deps.logger.child({ reqId: caller.requestId, mcpId: ctx.mcpReq.id, sub: caller.sub, tool: name }),
    );
    const args = request.params.arguments ?? {};
    const refusal = deps.toolset.refusal(name, args, context);
    if (refusal) return refusal;
    return withSpan('mcp.tool_call', { 'gen_ai.tool.name': name, 'enduser.id': caller.sub }, async (span) => {
      let result: CallToolResult;
      try {
        result = await tool.call(args, context);
        span.setAttribute('mcp.tool.outcome', result.isError ? 'error' : 'ok');
      } catch (error) {
        // tool.call turns every upstream fault into a result; reaching here is a bug, not the caller's fault.
        context.logger.error({ err: error }, 'tool call threw');
        result = unexpectedFailure(name, caller.requestId);
        span.setAttribute('mcp.tool.outcome', 'internal_error');
      }
      return result;
    });
  };
}
