/**
 * The views' preview for `npm run demo`: finds the demo user's first company and bill through the bridge
 * and serves one example per view (light and dark).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Preview, type PreviewExample, startPreview } from './server.js';

type Listed = { structuredContent?: { data?: { uuid?: string; id?: number }[] } };

/** Starts the preview of every view against the bridge at `bridgeUrl`, for the holder of `token`. */
export async function previewForDemo(bridgeUrl: string, token: string): Promise<Preview> {
  const client = new Client({ name: 'neonpanel-demo-views', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${bridgeUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const companies = (await client.callTool({ name: 'list_companies', arguments: {} })) as Listed;
    const companyUuid = companies.structuredContent?.data?.[0]?.uuid;
    if (!companyUuid) throw new Error('the demo user sees no company');
    const bills = (await client.callTool({ name: 'list_bills', arguments: { companyUuid } })) as Listed;
    const billId = bills.structuredContent?.data?.[0]?.id;
    const examples: PreviewExample[] = [
      {
        id: 'revenue',
        title: 'Revenue and COGS',
        tool: 'revenue_and_cogs_summary',
        args: { start_date: '2024-01-01', periodicity: 'monthly', grouping: ['company'] },
      },
      { id: 'stock', title: 'Stock', tool: 'list_inventory_items', args: { companyUuid } },
    ];
    if (billId !== undefined)
      examples.push({ id: 'bill', title: 'Bill', tool: 'get_bill', args: { companyUuid, billId } });
    return await startPreview({ bridgeUrl, token, examples });
  } finally {
    await client.close();
  }
}
