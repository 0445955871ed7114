import type { CallToolResult } from '@modelcontextprotocol/server';
import { errorResult } from './errors.js';
import type { OperationInvoker } from './invoker.js';
import type { ToolBuildDeps } from './operation-tool.js';
import { type CompanyRow, listAll, recordFailure } from './records.js';
import type { ToolContext } from './types.js';

/** The arguments that take company uuids: one in a path, several in a filter. */
export const COMPANY_ARGUMENTS = ['companyUuid', 'company_uuids'] as const;

/** How long a caller's companies are reused, and how many callers are remembered. */
const CACHE_MS = 60_000;
const MAX_CALLERS = 1_000;

/** A company's numeric `id` as a model passes it: an integer, or a string of digits (uuids are not). */
function numericId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Replaces numeric company ids in a tool's arguments with the uuids the API takes. */
export interface CompanyIdResolver {
  /** The arguments with every numeric company id replaced, or a tool error naming the right argument. */
  resolve(
    tool: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
  ): Promise<{ args: Record<string, unknown> } | { error: CallToolResult }>;
}

/**
 * NeonPanel gives a company a numeric `id` (report URLs show it) beside the `uuid` its API paths take,
 * and a model often passes the number. Numbers are looked up among the caller's own companies
 * (`listCompanies` with the caller's token, so nobody resolves another user's company), cached per
 * caller for a minute; a number that is none of them is answered with the argument and the tool that
 * gives valid values, instead of NeonPanel's 404.
 */
export function createCompanyIdResolver(
  deps: Pick<ToolBuildDeps, 'config'>,
  invoker: OperationInvoker,
  now: () => number = Date.now,
): CompanyIdResolver {
  const cache = new Map<string, { until: number; uuids: Map<number, string> }>();

  async function companiesOf(tool: string, ctx: ToolContext): Promise<Map<number, string> | CallToolResult> {
    const cached = cache.get(ctx.caller.sub);
    if (cached && cached.until > now()) return cached.uuids;
    const rows = await listAll<CompanyRow & { id?: number }>(invoker, 'listCompanies', {}, ctx);
    if (!Array.isArray(rows)) return recordFailure(deps, tool, rows, {});
    const uuids = new Map(rows.flatMap((row) => (typeof row.id === 'number' ? [[row.id, row.uuid] as const] : [])));
    cache.delete(ctx.caller.sub);
    if (cache.size >= MAX_CALLERS) cache.delete(cache.keys().next().value as string);
    cache.set(ctx.caller.sub, { until: now() + CACHE_MS, uuids });
    return uuids;
  }

  return {
    async resolve(tool, args, ctx) {
      const one = numericId(args['companyUuid']);
      const list = args['company_uuids'];
      const many = Array.isArray(list) && list.some((value) => numericId(value) !== undefined);
      if (one === undefined && !many) return { args };
      const uuids = await companiesOf(tool, ctx);
      if (!(uuids instanceof Map)) return { error: uuids };
      const unknown: number[] = [];
      const lookup = (value: unknown): unknown => {
        const id = numericId(value);
        if (id === undefined) return value;
        const uuid = uuids.get(id);
        if (uuid === undefined) unknown.push(id);
        return uuid ?? value;
      };
      const resolved = { ...args };
      if (one !== undefined) resolved['companyUuid'] = lookup(args['companyUuid']);
      if (many) resolved['company_uuids'] = (list as unknown[]).map(lookup);
      if (unknown.length > 0) {
        const argument = one !== undefined ? 'companyUuid' : 'company_uuids';
        return {
          error: errorResult(
            `${argument} takes a company's uuid (the "uuid" field of list_companies), not its numeric id, and ` +
              `${unknown.join(', ')} is not the id of any company this user can access. Call list_companies and ` +
              `pass the uuid of the company you mean to ${tool}; ${tool} was not called.`,
          ),
        };
      }
      return { args: resolved };
    },
  };
}
