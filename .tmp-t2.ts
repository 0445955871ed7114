import { createToolset } from './src/tools/index.js';
import { loadConfig } from './src/config/index.js';
import { silentLogger } from './src/telemetry/logger.js';
import { createMetrics } from './src/telemetry/metrics.js';
const ts = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
console.log(JSON.stringify(ts.get('revenue_and_cogs_summary')!.inputSchema));
console.log(JSON.stringify(ts.get('list_inventory_landed_costs')));
await ts.close();
