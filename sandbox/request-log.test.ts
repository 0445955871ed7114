import { describe, expect, it } from 'vitest';
import { RequestLog, type RequestLogEntry } from './request-log.js';

function entry(n: number): RequestLogEntry {
  return { at: n, method: 'GET', path: `/api/v1/companies?n=${n}`, query: '', requestId: `r${n}`, status: 200 };
}

describe('the sandbox request log', () => {
  it('keeps the latest entries up to its limit, oldest first, and counts every request', () => {
    const log = new RequestLog(8);
    for (let n = 1; n <= 8; n++) log.record(entry(n));
    expect(log.entries().map((e) => e.at)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Past the limit, whatever the moment the oldest are dropped, the view is the latest eight.
    for (let n = 9; n <= 29; n++) {
      log.record(entry(n));
      const seen = log.entries().map((e) => e.at);
      expect(seen).toEqual(Array.from({ length: 8 }, (_, i) => n - 7 + i));
    }
    expect(log.total).toBe(29);
    log.clear();
    expect(log.entries()).toEqual([]);
    expect(log.total).toBe(0);
  });
});
