import { describe, expect, it } from 'vitest';
import { fitToBudget } from './budget.js';

const rows = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: 'x'.repeat(80) }));

describe('fitToBudget', () => {
  it('returns a small answer untouched', () => {
    const body = { current_page: 1, per_page: 30, last_page: 1, data: rows(3) };
    expect(fitToBudget(body, 80_000, { minPerPage: 10 })).toEqual({ body, text: JSON.stringify(body) });
  });

  it('turns a too-large page into an exact smaller page and names the next one', () => {
    const body = { current_page: 2, per_page: 60, last_page: 5, data: rows(60, 61) };
    const fitted = fitToBudget(body, 4_000, { minPerPage: 10 });
    const page = fitted.body as typeof body;
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(4_000);
    expect(JSON.parse(fitted.text)).toEqual(page);
    // Items 61.. must start a page of the new size: offset 60 is a multiple of per_page.
    expect(60 % page.per_page).toBe(0);
    expect(page.data[0]?.id).toBe(61);
    expect(page.current_page).toBe(60 / page.per_page + 1);
    expect(fitted.note).toContain(`page=${page.current_page + 1} and per_page=${page.per_page}`);
  });

  it('trims an unpaginated list and says to narrow the request', () => {
    const body = { filters: {}, data: rows(200) };
    const fitted = fitToBudget(body, 3_000, undefined);
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(3_000);
    expect(fitted.note).toMatch(/Only the first \d+ of 200 entries of "data"/);
  });
});
