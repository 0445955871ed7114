/**
 * The MCP Apps views the bridge serves (`ui://` resources of type `text/html;profile=mcp-app`) and the
 * tools each one shows. Pure data: the HTML is generated ahead of time (build-views.ts).
 */

export type ViewId = 'revenue' | 'stock' | 'document';

/** One view: its resource and the tools whose results it renders. */
export interface AppView {
  id: ViewId;
  uri: string;
  /** Resource name and title in `resources/list`. */
  name: string;
  title: string;
  description: string;
  /** Tool names (as ../shared/interface.md fixes them) whose `_meta.ui.resourceUri` points here. */
  tools: readonly string[];
}

/** The generated HTML of every view, relative to the package root (`npm run build` writes it). */
export const VIEWS_FILE = 'src/apps/views.generated.json';

/** The MIME type of an MCP Apps view (the extension's `RESOURCE_MIME_TYPE`). */
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';

export const APP_VIEWS: readonly AppView[] = [
  {
    id: 'revenue',
    uri: 'ui://neonpanel/revenue.html',
    name: 'revenue-view',
    title: 'Revenue and COGS chart',
    description: 'Revenue, COGS and margin over time per company, in each currency, with totals.',
    tools: ['revenue_and_cogs_summary'],
  },
  {
    id: 'stock',
    uri: 'ui://neonpanel/stock.html',
    name: 'stock-view',
    title: 'Stock table',
    description: 'Inventory items with their balance in each warehouse, sortable, low stock marked.',
    tools: ['list_inventory_items', 'warehouse_balances', 'inventory_balances'],
  },
  {
    id: 'document',
    uri: 'ui://neonpanel/document.html',
    name: 'document-view',
    title: 'Document',
    description: 'A bill, invoice or inventory order: header, lines, totals and payment status.',
    tools: ['get_bill', 'get_invoice', 'get_inventory_order'],
  },
];
