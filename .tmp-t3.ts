import { createToolset, toolsListResult } from './src/tools/index.js';
import { loadConfig } from './src/config/index.js';
import { silentLogger } from './src/telemetry/logger.js';
import { createMetrics } from './src/telemetry/metrics.js';
const ts = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
for (const t of toolsListResult(ts).tools) console.log(JSON.stringify({n:t.name, i:t.inputSchema, o:t.outputSchema}));
await ts.close();
