/** What the API handlers share, and their signature. */

import type { Request } from 'express';
import type { InventoryRecord, InvoiceLine, InvoiceRecord, SandboxData, SandboxUser } from '../data/model.js';
import type { ImportStore } from './imports-store.js';
import type { ParamValues } from './params.js';

export interface ApiContext {
  data: SandboxData;
  publicUrl: string;
  imports: ImportStore;
  /** Sales lines of each item, oldest first (built on first use). */
  salesOfItem(item: InventoryRecord): ReadonlyArray<{ invoice: InvoiceRecord; line: InvoiceLine }>;
}

/** One authenticated API call. */
export interface ApiCall {
  params: ParamValues;
  /** The caller: a demo user, or a user with no companies for any other `sub` (client credentials). */
  user: SandboxUser;
  req: Request;
  /** The inbound or generated X-Request-Id. */
  requestId: string;
}

export interface ApiResult {
  status?: number;
  /** JSON body, or a string sent as text/plain. */
  body: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (ctx: ApiContext, call: ApiCall) => ApiResult | Promise<ApiResult>;

/** Builds the per-item sales index lazily: most runs never ask for COGS. */
export function salesIndex(data: SandboxData): ApiContext['salesOfItem'] {
  let index: Map<number, Array<{ invoice: InvoiceRecord; line: InvoiceLine }>> | undefined;
  return (item) => {
    if (!index) {
      index = new Map();
      for (const invoice of data.invoices) {
        for (const line of invoice.lines) {
          const list = index.get(line.itemId) ?? [];
          list.push({ invoice, line });
          index.set(line.itemId, list);
        }
      }
    }
    return index.get(item.id) ?? [];
  };
}
