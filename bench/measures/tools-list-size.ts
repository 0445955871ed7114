/**
 * Measure 6: the size of the `tools/list` answer as a client receives it (a 2026-07-28 request), for every
 * view a connection can choose: every tool (`/mcp`), read tools only (`/mcp/readonly`) and each toolset
 * (`/mcp?toolsets=NAME`). Bytes are those of the tools as served, counted by `toolsListBytes` as the budget
 * is (a 2026-07-28 result also carries its cache hints, which the budget leaves out). Tokens are estimated as bytes / 4, the usual rule of thumb for JSON with English text (no
 * tokenizer ships with the project); treat it as ±25 %.
 */
import { request } from 'undici';
import { loadCatalog } from '../../src/tools/catalog.js';
import { toolsListBytes } from '../../src/tools/list-size.js';
import { toolsetNames } from '../../src/tools/toolsets.js';
import { jsonRpcFromBody, requestFor, rpcFailure, TOOLS_LIST } from '../load/protocol.js';

/** What one view of the tools weighs. */
export interface ToolsListView {
  /** `every tool`, `read-only` or the toolset's name. */
  view: string;
  /** Where a connection asks for it. */
  path: string;
  tools: number;
  bytes: number;
  estimatedTokens: number;
}

/** Every view, the full set first. */
export interface ToolsListSize {
  views: ToolsListView[];
}

export const BYTES_PER_TOKEN = 4;

/** The views a connection can choose, the full set first, then read-only, then each toolset of the catalog. */
export function toolsListViews(toolsets: readonly string[]): Array<Pick<ToolsListView, 'view' | 'path'>> {
  return [
    { view: 'every tool', path: '/mcp' },
    { view: 'read-only', path: '/mcp/readonly' },
    ...toolsets.map((name) => ({ view: name, path: `/mcp?toolsets=${encodeURIComponent(name)}` })),
  ];
}

async function measureView(bridgeUrl: string, token: string, view: Pick<ToolsListView, 'view' | 'path'>) {
  const spec = requestFor('streamable-2026', TOOLS_LIST, token);
  const response = await request(new URL(view.path, bridgeUrl), {
    method: spec.method,
    headers: spec.headers,
    body: spec.body ?? null,
  });
  const body = await response.body.text();
  const contentType = response.headers['content-type'];
  const message = jsonRpcFromBody(typeof contentType === 'string' ? contentType : undefined, body);
  const failure =
    response.statusCode === 200
      ? rpcFailure(TOOLS_LIST, message)
      : `HTTP ${response.statusCode}: ${body.slice(0, 200)}`;
  if (failure) throw new Error(`tools/list at ${view.path} failed: ${failure}`);
  const { tools } = message!['result'] as { tools: Parameters<typeof toolsListBytes>[0] };
  const bytes = toolsListBytes(tools);
  return { ...view, tools: tools.length, bytes, estimatedTokens: Math.ceil(bytes / BYTES_PER_TOKEN) };
}

/** Asks the bridge at `bridgeUrl` for every view's `tools/list`; the toolsets are those of the built catalog. */
export async function measureToolsListSize(bridgeUrl: string, token: string): Promise<ToolsListSize> {
  const views: ToolsListView[] = [];
  for (const view of toolsListViews(toolsetNames(loadCatalog().operations))) {
    views.push(await measureView(bridgeUrl, token, view));
  }
  return { views };
}
