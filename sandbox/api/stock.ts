/** Warehouse balances and landed-cost batches, derived on demand from ids so nothing large is stored. */

import { addDays, toDayNumber } from '../data/dates.js';
import type { InventoryRecord, WarehouseRecord } from '../data/model.js';
import { createRandom, hashSeed } from '../random.js';

/** Units of `item` in `warehouse` on `date`: a stable base that drifts from day to day. */
export function balanceOf(item: InventoryRecord, warehouse: WarehouseRecord, date: string): number {
  if (!warehouse.itemIds.includes(item.id)) return 0;
  const base = hashSeed('stock', item.id, warehouse.uuid) % 400;
  const drift = (toDayNumber(date) * 7 + item.id * 13) % 60;
  return Math.max(0, base - 30 + drift);
}

/** The cost types of a batch and their share of the unit landed cost. */
export const COST_TYPES = [
  { type: 'Purchase Price', document: 'Purchase Order', prefix: 'PO', share: 0.7 },
  { type: 'Freight', document: 'Bill', prefix: 'FRT', share: 0.15 },
  { type: 'Customs Duty', document: 'Bill', prefix: 'DUT', share: 0.1 },
  { type: 'Prep Fee', document: 'Bill', prefix: 'PRP', share: 0.05 },
] as const;

export interface Batch {
  refNumber: string;
  date: string;
  quantity: number;
  /** Landed cost per unit of this batch. */
  unitCost: number;
}

const FIRST_BATCH_DATE = '2023-10-01';
const LAST_BATCH_DATE = '2025-12-31';

/** Receipts of `item` into `warehouse` every 3 to 9 weeks, each at a slightly different unit cost. */
export function batchesOf(item: InventoryRecord, warehouse: WarehouseRecord): Batch[] {
  if (!warehouse.itemIds.includes(item.id)) return [];
  const random = createRandom(hashSeed('batches', item.id, warehouse.uuid));
  const batches: Batch[] = [];
  let date = addDays(FIRST_BATCH_DATE, random.int(0, 30));
  while (date <= LAST_BATCH_DATE) {
    batches.push({
      refNumber: `BATCH-${item.id}-${batches.length + 1}`,
      date,
      quantity: random.int(50, 400),
      unitCost: Math.round(item.unitCost * (0.92 + random.next() * 0.16) * 100) / 100,
    });
    date = addDays(date, random.int(21, 63));
  }
  return batches;
}
