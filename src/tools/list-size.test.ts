import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createToolset } from './index.js';
import { TOOLS_LIST_BUDGET_BYTES, toolsListBytes } from './list-size.js';

async function fullList() {
  const toolset = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
  await toolset.close();
  return toolset.list();
}

describe('the tools/list budget', () => {
  it('serves every tool of the catalog in at most 64 KB of JSON', async () => {
    const list = await fullList();
    expect(list.tools.length).toBeGreaterThanOrEqual(60);
    const bytes = toolsListBytes(list.tools);
    expect(
      bytes,
      `tools/list of all ${list.tools.length} tools is ${bytes} bytes: shorten src/tools/overlay.yaml`,
    ).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  });

  it('counts the UTF-8 bytes of the result as sent', async () => {
    const list = await fullList();
    expect(toolsListBytes(list.tools)).toBe(Buffer.byteLength(JSON.stringify(list)));
    const one = list.tools.slice(0, 1);
    const withAccent = [{ ...one[0], title: 'é' } as (typeof one)[number]];
    expect(toolsListBytes(withAccent) - toolsListBytes([{ ...one[0], title: 'e' } as (typeof one)[number]])).toBe(1);
  });

  it('keeps what a model needs: every argument of a write tool that the document describes', async () => {
    const list = await fullList();
    const bill = list.tools.find((tool) => tool.name === 'create_bill');
    const details = bill?.inputSchema.properties['details'];
    expect(details?.items?.properties?.['service_id']?.description).toBe('From list_services.');
    expect(bill?.inputSchema.properties['vendor_id']?.description).toBe('From list_vendors.');
    // Answers carry their data in structuredContent; no tool spends the budget on an outputSchema.
    expect(list.tools.filter((tool) => tool.outputSchema && !['search', 'fetch'].includes(tool.name))).toEqual([]);
  });
});
