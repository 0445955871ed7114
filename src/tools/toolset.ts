import type { Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createUpstreamClient } from '../upstream/index.js';
import { loadCatalog, type ToolCatalog } from './catalog.js';
import { createFetchTool, FETCH_OPERATIONS } from './fetch.js';
import { createOperationInvoker } from './invoker.js';
import { createOperationTool } from './operation-tool.js';
import { createSearchTool, SEARCH_OPERATIONS } from './search.js';
import type { BridgeTool, BridgeToolDefinition } from './types.js';
import { createValidator } from './validation.js';

export interface ToolsetDeps {
  config: Config;
  logger: Logger;
  metrics: Pick<Metrics, 'toolCalls' | 'schemaDrift' | 'upstreamLatency'>;
  /** undici dispatcher for NeonPanel calls (tests); default a pooled keep-alive Agent. */
  dispatcher?: Dispatcher;
  /**
   * The operations and overlay to build from; default the generated catalog of the bundled API
   * document and `src/tools/overlay.yaml` (`buildCatalog` makes one from another document).
   */
  catalog?: ToolCatalog;
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
  /** Closes the pooled NeonPanel connections. */
  close(): Promise<void>;
}

/**
 * Builds every tool from the catalog (the API document's operations and the overlay): a changed
 * document changes the tools with no code change. `search`/`fetch` are added when the operations
 * they read through exist.
 */
export async function createToolset(deps: ToolsetDeps): Promise<Toolset> {
  const { api, operations, overlay } = deps.catalog ?? loadCatalog();
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
  const tools: BridgeTool[] = operations.map((operation) => createOperationTool(operation, buildDeps));
  const invoker = createOperationInvoker(operations, upstream);
  if (SEARCH_OPERATIONS.every((id) => invoker.has(id))) tools.push(createSearchTool(buildDeps, invoker));
  if (FETCH_OPERATIONS.every((id) => invoker.has(id))) tools.push(createFetchTool(buildDeps, invoker));

  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`two tools would be named "${tool.name}"; rename an operationId`);
    names.add(tool.name);
  }
  for (const key of Object.keys(overlay.tools)) {
    if (key !== 'search' && key !== 'fetch' && !operations.some((op) => op.operationId === key)) {
      deps.logger.warn({ operationId: key }, 'tool overlay names an operation the API document does not have');
    }
  }
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return {
    tools,
    get: (name) => byName.get(name),
    api,
    operationCount: operations.length,
    close: () => upstream.close(),
  };
}

/** A tool's definition as `tools/list` serves it (no `call`), in a stable key order. */
export function toolDefinition(tool: BridgeTool): BridgeToolDefinition {
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

/** The whole `tools/list` result the bridge serves. */
export function toolsListResult(toolset: Pick<Toolset, 'tools'>): { tools: BridgeToolDefinition[] } {
  return { tools: toolset.tools.map(toolDefinition) };
}
