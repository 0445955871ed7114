/**
 * ChatGPT's deep-research shape (clients.md §5 check 22): `search` answers one JSON text item
 * `{results:[{id,title,url}]}` and `fetch` of the first id answers one `{id,title,text,url,metadata?}`,
 * each with the same data as `structuredContent`.
 */
import type { Client } from '@modelcontextprotocol/client';
import { asObject, excerpt, firstText, sameJson } from '../http.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext, DoctorTool } from '../types.js';

/** Queries tried in turn until `search` finds something to `fetch` (ChatGPT sends free text). */
export const SEARCH_QUERIES = ['test', 'a', 'e'] as const;

/** The parts of a tool result the shape rules look at. */
export interface ToolAnswer {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
}

/** A shape judgement: problems that break ChatGPT, and the parsed payload when there is one. */
export interface ShapeVerdict {
  problems: string[];
  /** Set when only structuredContent is missing: ChatGPT reads the text, but other clients want both. */
  noStructuredContent: boolean;
  payload?: Record<string, unknown>;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Exactly one text item holding a JSON object, and structuredContent equal to it. */
function judgeEnvelope(tool: string, answer: ToolAnswer): ShapeVerdict {
  const verdict: ShapeVerdict = { problems: [], noStructuredContent: false };
  if (answer.isError) {
    verdict.problems.push(`${tool} answered isError: ${excerpt(firstText(answer))}`);
    return verdict;
  }
  const content = Array.isArray(answer.content) ? answer.content : [];
  const items = content.map((c) => asObject(c));
  if (items.length !== 1 || items[0]?.['type'] !== 'text' || typeof items[0]['text'] !== 'string') {
    const kinds = items.map((c) => String(c?.['type'])).join(', ') || 'nothing';
    verdict.problems.push(`${tool} content must be exactly one text item, got ${content.length} (${kinds})`);
    return verdict;
  }
  try {
    verdict.payload = asObject(JSON.parse(items[0]['text']));
  } catch {
    // Reported just below.
  }
  if (!verdict.payload) {
    verdict.problems.push(`${tool}'s text is not a JSON object: ${excerpt(items[0]['text'], 80)}`);
    return verdict;
  }
  if (answer.structuredContent === undefined) verdict.noStructuredContent = true;
  else if (!sameJson(answer.structuredContent, verdict.payload)) {
    verdict.problems.push(`${tool}'s structuredContent differs from the JSON in its text`);
  }
  return verdict;
}

/** Judges a `search` answer: `{results:[{id,title,url}]}` with a non-empty `url` on every result. */
export function judgeSearch(answer: ToolAnswer): ShapeVerdict {
  const verdict = judgeEnvelope('search', answer);
  if (!verdict.payload) return verdict;
  const results = verdict.payload['results'];
  if (!Array.isArray(results)) {
    verdict.problems.push('search JSON has no "results" array');
    return verdict;
  }
  results.forEach((raw, i) => {
    const result = asObject(raw);
    const missing = ['id', 'title', 'url'].filter((f) => !nonEmptyString(result?.[f]));
    if (missing.length) verdict.problems.push(`results[${i}] lacks a non-empty ${missing.join(', ')}`);
  });
  return verdict;
}

/** Judges a `fetch` answer for `id`: `{id,title,text,url,metadata?}` with a non-empty `url`. */
export function judgeFetch(answer: ToolAnswer, id: string): ShapeVerdict {
  const verdict = judgeEnvelope('fetch', answer);
  const doc = verdict.payload;
  if (!doc) return verdict;
  const missing = ['id', 'title', 'url'].filter((f) => !nonEmptyString(doc[f]));
  if (typeof doc['text'] !== 'string') missing.splice(2, 0, 'text');
  if (missing.length) verdict.problems.push(`fetch JSON lacks ${missing.join(', ')}`);
  if (nonEmptyString(doc['id']) && doc['id'] !== id) verdict.problems.push(`fetch returned id ${doc['id']}, not ${id}`);
  if (doc['metadata'] !== undefined && !asObject(doc['metadata'])) {
    verdict.problems.push('fetch "metadata" must be an object when present');
  }
  return verdict;
}

const SPEC_FIX =
  'Answer search with one text item {"results":[{"id","title","url"}]} and fetch with one text item {"id","title","text","url","metadata"}, the same JSON as structuredContent and a non-empty url; otherwise ChatGPT says \'This MCP server doesn\'t implement our specification\'.';

function toResult(id: string, title: string, verdict: ShapeVerdict, detail: string): CheckResult {
  if (verdict.problems.length) return fail(id, title, { detail: `${verdict.problems.join('; ')}.`, fix: SPEC_FIX });
  if (verdict.noStructuredContent) {
    return warn(id, title, {
      detail: `${detail}, but no structuredContent.`,
      fix: 'Return the same JSON as structuredContent too, as the shape asks.',
    });
  }
  return pass(id, title, { detail });
}

async function call(ctx: DoctorContext, client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args }, { timeout: ctx.timeoutMs })) as ToolAnswer;
}

function resultsOf(verdict: ShapeVerdict): Record<string, unknown>[] {
  const results = verdict.payload?.['results'];
  return Array.isArray(results) ? results : [];
}

/** Tries the queries in turn; stops at the first answer with results or with a shape problem. */
async function searchUntilFound(ctx: DoctorContext, client: Client): Promise<{ query: string; search: ShapeVerdict }> {
  let last: { query: string; search: ShapeVerdict } | undefined;
  for (const query of SEARCH_QUERIES) {
    last = { query, search: judgeSearch(await call(ctx, client, 'search', { query })) };
    if (last.search.problems.length > 0 || resultsOf(last.search).length > 0) break;
  }
  return last!;
}

/** `search` then `fetch` through a connected client, for the selected clients that use them. */
export async function checkDeepResearch(
  ctx: DoctorContext,
  client: Client,
  tools: DoctorTool[],
): Promise<CheckResult[]> {
  const who = ctx.clients.filter((c) => c.needsSearchFetch?.value);
  if (who.length === 0) return [];
  const names = who.map((c) => c.name).join(', ');
  const missing = ['search', 'fetch'].filter((n) => !tools.some((t) => t.name === n));
  if (missing.length) {
    return [
      warn('tools.search', `search and fetch for ${names} deep research`, {
        detail: `no ${missing.join(' or ')} tool.`,
        fix: `Add search and fetch tools; deep research and company knowledge use only those (${who[0]!.needsSearchFetch!.source}).`,
      }),
    ];
  }
  try {
    const { query, search } = await searchUntilFound(ctx, client);
    const results = resultsOf(search);
    const first = results[0];
    const searchTitle = `search answers in ChatGPT's shape (query "${query}")`;
    const out = [toResult('tools.search', searchTitle, search, `${results.length} result(s), first ${first?.['url']}`)];
    if (search.problems.length) return out;
    const fetchTitle = "fetch answers in ChatGPT's shape";
    if (!first) {
      out.push(
        warn('tools.fetch', fetchTitle, {
          detail: `search found nothing for ${SEARCH_QUERIES.map((q) => `"${q}"`).join(', ')}, so fetch was not tried.`,
          fix: 'Make search match part of a name, SKU or id, so deep research finds what to fetch.',
        }),
      );
      return out;
    }
    const id = String(first['id']);
    const fetched = judgeFetch(await call(ctx, client, 'fetch', { id }), id);
    out.push(
      toResult(
        'tools.fetch',
        `${fetchTitle} (id ${id})`,
        fetched,
        `"${fetched.payload?.['title']}" at ${fetched.payload?.['url']}`,
      ),
    );
    return out;
  } catch (error) {
    return [
      fail('tools.search', "search and fetch answer in ChatGPT's shape", {
        detail: excerpt(error instanceof Error ? error.message : String(error), 240),
        fix: 'tools/call of search and fetch must answer with a result, never a protocol error; check the bridge logs.',
      }),
    ];
  }
}
