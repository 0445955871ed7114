/**
 * Keeps a tool result under the response budget without cutting JSON: the largest list in the
 * answer is shortened to what fits, and when the API paginates, the shortened list is made an exact
 * page of a smaller `per_page`, so the note can say precisely which `page`/`per_page` comes next.
 */

/** The API's pagination: what the tool accepts and where the answer reports it. */
export interface PaginationArguments {
  /** Smallest `per_page` the operation accepts (the document's `minimum`). */
  minPerPage: number;
}

export interface BudgetedAnswer {
  body: unknown;
  text: string;
  /** Set when the answer was shortened: what was left out and how to get it. */
  note?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `text` is within `limit` UTF-8 bytes; no UTF-16 unit takes more than 3, so most answers need no count. */
function fits(text: string, limit: number): boolean {
  return text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit;
}

/** The list to shorten: `data` when present, else the longest top-level array. */
function listKey(body: Record<string, unknown>): string | undefined {
  if (Array.isArray(body['data'])) return 'data';
  let best: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value) && (!best || value.length > (body[best] as unknown[]).length)) best = key;
  }
  return best;
}

/** Largest n ≤ items.length with JSON of `body` with items[0..n) within `limit` bytes (binary search). */
function largestFit(body: Record<string, unknown>, key: string, items: unknown[], limit: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(JSON.stringify({ ...body, [key]: items.slice(0, mid) }), limit)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Room kept for the note and the rewritten page numbers. */
const NOTE_ALLOWANCE = 600;

/**
 * Returns the answer as is when its JSON fits `budgetBytes`, else a shortened answer and a note.
 * `pagination` is given when the tool has `page`/`per_page` arguments.
 */
export function fitToBudget(
  body: unknown,
  budgetBytes: number,
  pagination: PaginationArguments | undefined,
): BudgetedAnswer {
  const text = JSON.stringify(body) ?? '';
  if (fits(text, budgetBytes) || !isObject(body)) return { body, text };
  const key = listKey(body);
  const items = key ? (body[key] as unknown[]) : [];
  if (!key || items.length === 0) return { body, text };
  const fit = largestFit(body, key, items, Math.max(0, budgetBytes - NOTE_ALLOWANCE));

  const currentPage = body['current_page'];
  const perPage = body['per_page'];
  if (pagination && typeof currentPage === 'number' && typeof perPage === 'number' && perPage > 0) {
    const offset = (currentPage - 1) * perPage;
    // The largest smaller page size whose pages line up with this page's first item.
    for (let size = fit; size >= Math.max(1, pagination.minPerPage); size--) {
      if (offset % size !== 0) continue;
      const page = offset / size + 1;
      const lastPage = typeof body['last_page'] === 'number' ? body['last_page'] : undefined;
      const total =
        lastPage === currentPage ? offset + items.length : lastPage !== undefined ? lastPage * perPage : undefined;
      const shortened = {
        ...body,
        [key]: items.slice(0, size),
        current_page: page,
        per_page: size,
        ...(total !== undefined ? { last_page: Math.max(page, Math.ceil(total / size)) } : {}),
      };
      const more = size < items.length || lastPage === undefined || currentPage < lastPage;
      const note =
        `The full page was larger than this client's response budget (${budgetBytes} bytes), so this is page ${page} ` +
        `with per_page=${size} (items ${offset + 1}–${offset + size}).` +
        (more ? ` For the next items call again with page=${page + 1} and per_page=${size}.` : '');
      return { body: shortened, text: JSON.stringify(shortened), note };
    }
  }
  const shortened = { ...body, [key]: items.slice(0, fit) };
  const note =
    `Only the first ${fit} of ${items.length} entries of "${key}" fit this client's response budget ` +
    `(${budgetBytes} bytes); the rest were left out. Narrow the request (shorter period, filters, fewer groupings)` +
    (pagination ? ` or use a smaller per_page (minimum ${pagination.minPerPage}).` : '.');
  return { body: shortened, text: JSON.stringify(shortened), note };
}
