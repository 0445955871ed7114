import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { type BridgeToolDefinition, createToolset, toolsListResult } from '../../../src/tools/index.js';

/** Where the committed `tools/list` snapshot lives, relative to the package root. */
export const SNAPSHOT_FILE = 'test/snapshots/tools-list.json';

/**
 * The `tools/list` result as the bridge serves it with the default configuration. Nothing in the
 * definitions depends on URLs or ports, only on MCP_SCOPES (unset here).
 */
export async function snapshotToolsList(): Promise<{ tools: BridgeToolDefinition[] }> {
  const toolset = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
  await toolset.close();
  return toolsListResult(toolset);
}
