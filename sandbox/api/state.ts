/**
 * What the API's writes change, per sandbox process and in memory: documents, payment requests,
 * inventory items, products, listings and forecasting settings start as copies of the seed (which
 * sandboxes in one process share, read-only) and ids continue from the highest seeded one.
 */

import type {
  DocumentKindName,
  DocumentRecord,
  InventoryRecord,
  ListingRecord,
  PaymentRequestRecord,
  ProductRecord,
  SandboxData,
} from '../data/model.js';

/** Fields of an inventory item only the full-data view shows. */
export interface ItemExtras {
  source: string;
  variation: string;
  managerNumber: number;
  createdAt: string;
  restock?: Record<string, number>;
}

function byId<T extends { id: number }>(records: readonly T[]): Map<number, T> {
  return new Map(records.map((record) => [record.id, record]));
}

/** A counter that continues after the highest id of `records`. */
function counterAfter(records: Iterable<{ id: number }>): () => number {
  let last = 0;
  for (const record of records) last = Math.max(last, record.id);
  return () => ++last;
}

export class SandboxState {
  readonly items: Map<number, InventoryRecord>;
  readonly itemExtras = new Map<number, ItemExtras>();
  readonly products: Map<number, ProductRecord>;
  readonly listings: Map<number, ListingRecord>;
  readonly documents: Record<DocumentKindName, Map<number, DocumentRecord>>;
  readonly paymentRequests: Map<number, PaymentRequestRecord>;
  /** Forecasting settings a company changed (the rest are the document's defaults). */
  readonly forecastSettings = new Map<string, Record<string, unknown>>();
  readonly nextItemId: () => number;
  readonly nextProductId: () => number;
  readonly nextPaymentRequestId: () => number;
  private readonly nextDocumentIds: Record<DocumentKindName, () => number>;

  constructor(data: SandboxData) {
    const kinds = Object.keys(data.documents) as DocumentKindName[];
    this.items = byId(data.inventory);
    this.products = byId(data.products);
    this.listings = byId(data.listings);
    this.paymentRequests = byId(data.paymentRequests);
    this.documents = Object.fromEntries(kinds.map((kind) => [kind, byId(data.documents[kind])])) as Record<
      DocumentKindName,
      Map<number, DocumentRecord>
    >;
    this.nextDocumentIds = Object.fromEntries(
      kinds.map((kind) => [kind, counterAfter(data.documents[kind])]),
    ) as Record<DocumentKindName, () => number>;
    this.nextItemId = counterAfter(data.inventory);
    this.nextProductId = counterAfter(data.products);
    this.nextPaymentRequestId = counterAfter(data.paymentRequests);
  }

  nextDocumentId(kind: DocumentKindName): number {
    return this.nextDocumentIds[kind]();
  }

  /** The company's items, in id order. */
  companyItems(companyUuid: string): InventoryRecord[] {
    return [...this.items.values()].filter((item) => item.companyUuid === companyUuid);
  }
}
