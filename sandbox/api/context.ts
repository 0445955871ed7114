/** What the API handlers share, and their signature. */

import type { Request } from 'express';
import type { InventoryRecord, InvoiceLine, InvoiceRecord, SandboxData, SandboxUser } from '../data/model.js';
import type { ImportStore } from './imports-store.js';
import type { ParamValues } from './params.js';
import type { SandboxState } from './state.js';

export interface ApiContext {
  data: SandboxData;
  /** What writes change (documents, items, products, settings), per sandbox. */
  state: SandboxState;
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
  /**
   * The JSON body, checked against the operation's request schema, or against `fallbackSchema` where the
   * document gives none (422 naming each field otherwise; 400 when it is not a JSON object).
   */
  body(fallbackSchema?: Record<string, unknown>): Record<string, unknown>;
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
