import { createServerExtensions } from '../../../src/apps/register.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { type BridgeToolDefinition, createToolset } from '../../../src/tools/index.js';

/** Where the committed `tools/list` snapshot lives, relative to the package root. */
export const SNAPSHOT_FILE = 'test/snapshots/tools-list.json';

/**
 * The `tools/list` result as the bridge serves it with the default configuration: every tool, with
 * the MCP Apps views linked as the server factory links them. Nothing in the definitions depends on
 * URLs or ports, only on MCP_SCOPES (unset here).
 */
export async function snapshotToolsList(): Promise<{ tools: BridgeToolDefinition[] }> {
  const toolset = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
  await toolset.close();
  const list = toolset.list();
  return createServerExtensions(list.tools, true).withViews(list);
}
