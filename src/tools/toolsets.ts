import type { ToolView } from '../caller/index.js';
import { ConfigError } from '../config/index.js';
import type { Operation } from '../openapi/index.js';

export type { ToolView } from '../caller/index.js';

/**
 * The toolsets: groups of tools a deployment (`MCP_TOOLSETS`) or a connection (`?toolsets=`) can
 * choose, each made of the API document's tags (its `x-tagGroups` split where a person's job splits:
 * buying is not selling). Listed in README order. An operation whose tags are all unknown here falls
 * in a toolset named after its first tag, so a new copy of the document needs no code change.
 */
const TOOLSET_TAGS: Readonly<Record<string, readonly string[]>> = {
  account: ['Companies'],
  reports: ['Reports', 'Analytics'],
  inventory: ['Inventory', 'Warehouses'],
  catalog: ['Products', 'Listings'],
  purchasing: ['Vendors', 'Services', 'Payment Terms', 'Inventory Orders', 'Bills', 'Payment Requests'],
  sales: ['Sales Channels', 'Invoices', 'Shipments'],
  production: ['Assembly Orders', 'Adjustments'],
  import: ['Import'],
};

/** Operations served with every toolset: every other tool takes the `companyUuid` this one gives. */
export const ALWAYS_SERVED: ReadonlySet<string> = new Set(['listCompanies']);

const TOOLSET_OF_TAG = new Map(
  Object.entries(TOOLSET_TAGS).flatMap(([toolset, tags]) => tags.map((tag) => [tag, toolset] as const)),
);

function slug(tag: string): string {
  return (
    tag
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'other'
  );
}

/**
 * The toolset an operation belongs to. `Companies` also tags company-scoped operations of other kinds
 * (API 1.0 tags `listWarehouses` `Companies, Inventory`), so a more specific tag wins over it.
 */
export function toolsetOf(operation: Pick<Operation, 'tags'>): string {
  const known = operation.tags.map((tag) => TOOLSET_OF_TAG.get(tag)).filter((name) => name !== undefined);
  const specific = known.find((name) => name !== 'account') ?? known[0];
  if (specific) return specific;
  const [first] = operation.tags;
  return first ? slug(first) : 'other';
}

/** The toolsets the operations make up, in README order, then any named after unknown tags. */
export function toolsetNames(operations: readonly Pick<Operation, 'tags'>[]): string[] {
  const present = new Set(operations.map(toolsetOf));
  const known = Object.keys(TOOLSET_TAGS).filter((name) => present.has(name));
  return [...known, ...[...present].filter((name) => !(name in TOOLSET_TAGS)).sort()];
}

/**
 * Checks a list of toolset names against those the operations make up; the message names the bad
 * one and every valid name (for `MCP_TOOLSETS` and a connection's `?toolsets=`).
 */
function checkToolsetNames(names: readonly string[], valid: readonly string[]): string | undefined {
  const bad = names.find((name) => !valid.includes(name));
  return bad === undefined ? undefined : `unknown toolset "${bad}"; the toolsets are ${valid.join(', ')}`;
}

/** The operations a deployment serves: those of the `MCP_TOOLSETS` toolsets (all when unset) and ALWAYS_SERVED. */
export function servedOperations(operations: readonly Operation[], chosen: readonly string[] | undefined): Operation[] {
  if (!chosen) return [...operations];
  const problem = checkToolsetNames(chosen, toolsetNames(operations));
  if (problem) throw new ConfigError('MCP_TOOLSETS', `MCP_TOOLSETS names an ${problem}`);
  return operations.filter((op) => ALWAYS_SERVED.has(op.operationId) || chosen.includes(toolsetOf(op)));
}

/** A stable key for a view (its tool list is computed once per key). */
export function viewKey(view: ToolView): string {
  return `${view.readOnly ? 'ro' : 'rw'}:${view.toolsets ? [...view.toolsets].sort().join(',') : '*'}`;
}

/**
 * A connection's `toolsets` query parameter (`inventory,reports`), checked against the deployment's
 * toolsets: the names, undefined when absent, or the problem to answer with a 400.
 */
export function parseToolsetsParameter(
  raw: unknown,
  valid: readonly string[],
): { toolsets: string[] | undefined } | { problem: string } {
  if (raw === undefined) return { toolsets: undefined };
  if (typeof raw !== 'string')
    return { problem: 'send the toolsets query parameter once, like ?toolsets=inventory,reports' };
  // Deduplicated: each distinct view gets a tool list computed once, so the views must stay few.
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0 || names.includes('all')) return { toolsets: undefined };
  const problem = checkToolsetNames(names, valid);
  return problem ? { problem: `the toolsets query parameter names an ${problem}` } : { toolsets: names };
}
