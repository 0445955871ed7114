import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import { createWriteAudit, type WriteAudit } from '../telemetry/audit.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createUpstreamClient } from '../upstream/index.js';
import { loadCatalog, type ToolCatalog } from './catalog.js';
import { createCompanyIdResolver } from './company-ids.js';
import { errorResult } from './errors.js';
import { createFetchTool, FETCH_OPERATIONS } from './fetch.js';
import { createOperationInvoker } from './invoker.js';
import { auditSubject, guardedTool, writeEntry } from './guarded.js';
import { createOperationTool } from './operation-tool.js';
import { createSearchTool, SEARCH_OPERATIONS } from './search.js';
import { ALWAYS_SERVED, servedOperations, type ToolView, toolsetNames, toolsetOf, viewKey } from './toolsets.js';
import type { BridgeTool, BridgeToolDefinition, ToolContext } from './types.js';
import { createValidator } from './validation.js';

export interface ToolsetDeps {
  config: Config;
  logger: Logger;
  metrics: Pick<Metrics, 'toolCalls' | 'schemaDrift' | 'upstreamLatency' | 'writes'>;
  /** undici dispatcher for NeonPanel calls (tests); default a pooled keep-alive Agent. */
  dispatcher?: Dispatcher;
  /**
   * The operations and overlay to build from; default the generated catalog of the bundled API
   * document and `src/tools/overlay.yaml` (`buildCatalog` makes one from another document).
   */
  catalog?: ToolCatalog;
  /** Where write calls are recorded; default the audit log `config.auditLog` names. */
  audit?: WriteAudit;
}

/** One toolset as served: its name and its tools' names, in `tools/list` order. */
export interface ToolsetGroup {
  readonly name: string;
  readonly tools: readonly string[];
}

/** The tools the bridge serves, built once at start. */
export interface Toolset {
  /** In `tools/list` order: one per API operation in document order, then `search` and `fetch`. */
  readonly tools: readonly BridgeTool[];
  get(name: string): BridgeTool | undefined;
  /** The API document's `info.title` and `info.version` the tools were built from (for health and the status page). */
  readonly api: { readonly title: string; readonly version: string };
  /** How many API operations the document has (each one a tool). */
  readonly operationCount: number;
  /** The toolsets this deployment serves (`MCP_TOOLSETS`), each with its tools; `search`/`fetch` are in none. */
  readonly groups: readonly ToolsetGroup[];
  /** The `tools/list` result of a view (a read-only or toolset-choosing connection), computed once per view. */
  list(view?: ToolView): { tools: BridgeToolDefinition[] };
  /**
   * Why the caller's view (`ctx.caller.view`) may not call a tool it has, as the tool error to answer
   * (recorded in the write audit when the tool writes); undefined when it may.
   */
  refusal(name: string, args: Record<string, unknown>, ctx: ToolContext): CallToolResult | undefined;
  /** Closes the pooled NeonPanel connections. */
  close(): Promise<void>;
}

/**
 * Builds every tool from the catalog (the API document's operations and the overlay): a changed
 * document changes the tools with no code change. Only the operations of the deployment's toolsets
 * (`MCP_TOOLSETS`) become tools; `search`/`fetch` are added when the operations they read through are
 * among them. Every operation tool resolves numeric company ids, and every write is audited.
 */
export async function createToolset(deps: ToolsetDeps): Promise<Toolset> {
  const { api, operations: all, overlay } = deps.catalog ?? loadCatalog();
  const operations = servedOperations(all, deps.config.toolsets);
  const upstream = createUpstreamClient({
    config: deps.config,
    metrics: deps.metrics,
    logger: deps.logger,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
  });
  const buildDeps = {
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
    upstream,
    ajv: createValidator(),
    overlay,
  };
  const invoker = createOperationInvoker(operations, upstream);
  const audit = deps.audit ?? createWriteAudit(deps.config, deps.metrics);
  const guards = { audit, companyIds: createCompanyIdResolver(buildDeps, invoker) };
  const tools: BridgeTool[] = operations.map((operation) =>
    guardedTool(createOperationTool(operation, buildDeps), operation, guards),
  );
  // Each operation tool's operation and toolset; `search`/`fetch` instead need the tools they read through.
  const operationOf = new Map(operations.map((op, index) => [tools[index]?.name ?? '', op]));
  const toolsetOfTool = new Map([...operationOf].map(([name, op]) => [name, toolsetOf(op)]));
  const needs = new Map<string, string[]>();
  const toolOf = (id: string) => tools[operations.findIndex((op) => op.operationId === id)]?.name ?? id;
  const alwaysServed = new Set([...ALWAYS_SERVED].map(toolOf));
  if (SEARCH_OPERATIONS.every((id) => invoker.has(id))) {
    tools.push(createSearchTool(buildDeps, invoker));
    needs.set('search', SEARCH_OPERATIONS.map(toolOf));
  }
  if (FETCH_OPERATIONS.every((id) => invoker.has(id))) {
    tools.push(createFetchTool(buildDeps, invoker));
    needs.set('fetch', FETCH_OPERATIONS.map(toolOf));
  }

  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`two tools would be named "${tool.name}"; rename an operationId`);
    names.add(tool.name);
  }
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const groups = toolsetNames(operations).map((name) => ({
    name,
    tools: tools.filter((tool) => toolsetOfTool.get(tool.name) === name).map((tool) => tool.name),
  }));

  const readOnlyView = (view: ToolView | undefined) => deps.config.readOnly || view?.readOnly === true;
  /** Whether a view lists a tool; a tool that reads through others is listed when they all are. */
  const inToolsets = (name: string, chosen: readonly string[]): boolean => {
    const needed = needs.get(name);
    if (needed) return needed.every((other) => inToolsets(other, chosen));
    return alwaysServed.has(name) || chosen.includes(toolsetOfTool.get(name) ?? '');
  };
  const visible = (tool: BridgeTool, view: ToolView | undefined): boolean =>
    (!readOnlyView(view) || tool.annotations.readOnlyHint) && (!view?.toolsets || inToolsets(tool.name, view.toolsets));
  const lists = new Map<string, { tools: BridgeToolDefinition[] }>();
  const readOnlyUrl = `${deps.config.publicUrl}/mcp/readonly`;

  return {
    tools,
    get: (name) => byName.get(name),
    api,
    operationCount: all.length,
    groups,
    list(view = {}) {
      const key = viewKey({ ...view, readOnly: readOnlyView(view) });
      let list = lists.get(key);
      if (!list) {
        list = { tools: tools.filter((tool) => visible(tool, view)).map(toolDefinition) };
        lists.set(key, list);
      }
      return list;
    },
    refusal(name, args, ctx) {
      const view = ctx.caller.view;
      const tool = byName.get(name);
      if (!tool || visible(tool, view)) return undefined;
      if (readOnlyView(view) && !tool.annotations.readOnlyHint) {
        const operation = operationOf.get(name);
        if (operation) {
          const subject = auditSubject(operation, args);
          audit.record(writeEntry(name, subject, ctx, { refusal: 'read_only' }, performance.now()));
        }
        const where = deps.config.readOnly ? 'This server is read-only' : 'This is a read-only connection';
        return errorResult(
          `${where} (${readOnlyUrl}): ${name} changes data in NeonPanel, so it is not available here and nothing ` +
            `was sent to NeonPanel. To make changes, the user connects with ${deps.config.publicUrl}/mcp` +
            `${deps.config.readOnly ? ' on a server that allows writes' : ''}.`,
        );
      }
      const chosen = view?.toolsets?.join(', ') ?? '';
      const home = toolsetOfTool.get(name);
      return errorResult(
        `${name} is not among the toolsets this connection serves (${chosen})` +
          `${home ? `; it is in the ${home} toolset: add ${home} to the URL's ?toolsets=` : ''}. Nothing was sent to NeonPanel.`,
      );
    },
    close: () => upstream.close(),
  };
}

/** A tool's definition as `tools/list` serves it (no `call`), in a stable key order. */
function toolDefinition(tool: BridgeTool): BridgeToolDefinition {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    annotations: tool.annotations,
    ...(tool._meta ? { _meta: tool._meta } : {}),
  };
}
