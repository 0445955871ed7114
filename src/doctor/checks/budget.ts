/**
 * Response budget (clients.md §5 check 23): every `list_*` tool called with its widest page, its
 * answer's size estimated in tokens and compared with what the client accepts (Claude Code: 25k).
 */
import type { Client } from '@modelcontextprotocol/client';
import { asObject, excerpt, firstText } from '../http.js';
import type { ClientProfile } from '../profiles.js';
import { pass, skip, warn } from '../result.js';
import type { CheckResult, DoctorContext, DoctorTool } from '../types.js';

/** Page-size arguments set to their schema maximum so the widest page comes back. */
const PAGE_SIZE_ARGUMENTS = ['per_page', 'limit', 'page_size'];

/** Values learnt from earlier answers that later list tools need (`companyUuid` from list_companies). */
type Known = Record<string, string>;

/**
 * Arguments for the widest call of `tool`, or the names of required arguments nothing supplies.
 */
export function widestArguments(
  tool: DoctorTool,
  known: Known,
): { args: Record<string, unknown> } | { missing: string[] } {
  const properties = asObject(tool.inputSchema?.['properties']) ?? {};
  const required = Array.isArray(tool.inputSchema?.['required']) ? (tool.inputSchema['required'] as string[]) : [];
  const args: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const maximum = asObject(raw)?.['maximum'];
    if (PAGE_SIZE_ARGUMENTS.includes(name) && typeof maximum === 'number') args[name] = maximum;
  }
  const missing: string[] = [];
  for (const name of required) {
    if (known[name] !== undefined) args[name] = known[name];
    else if (args[name] === undefined) missing.push(name);
  }
  return missing.length ? { missing } : { args };
}

/** The byte length of a tool answer's text items: what the client hands to the model. */
export function answerBytes(answer: { content?: unknown }): number {
  const content = Array.isArray(answer.content) ? answer.content : [];
  return content.reduce<number>((sum, item) => {
    const text = asObject(item)?.['text'];
    return sum + (typeof text === 'string' ? Buffer.byteLength(text) : 0);
  }, 0);
}

/** The first company's uuid in a list_companies answer, for the tools scoped to a company. */
function learn(answer: { structuredContent?: unknown }, known: Known): void {
  const data = asObject(answer.structuredContent)?.['data'];
  const uuid = Array.isArray(data) ? asObject(data[0])?.['uuid'] : undefined;
  if (typeof uuid === 'string' && known['companyUuid'] === undefined) known['companyUuid'] = uuid;
}

interface Measured {
  tool: string;
  bytes: number;
}

/** Calls each list tool once (those without required arguments first) and measures its answer. */
async function measureListTools(ctx: DoctorContext, client: Client, tools: DoctorTool[]) {
  const lists = tools
    .filter((t) => t.name.startsWith('list_') && t.annotations?.['readOnlyHint'] === true)
    .sort((a, b) => requiredCount(a) - requiredCount(b));
  const known: Known = {};
  const measured: Measured[] = [];
  const notCalled: string[] = [];
  for (const tool of lists) {
    const plan = widestArguments(tool, known);
    if ('missing' in plan) {
      notCalled.push(`${tool.name} (needs ${plan.missing.join(', ')})`);
      continue;
    }
    try {
      const answer = await client.callTool({ name: tool.name, arguments: plan.args }, { timeout: ctx.timeoutMs });
      if (answer.isError) notCalled.push(`${tool.name} (isError: ${excerpt(firstText(answer), 60)})`);
      else {
        learn(answer, known);
        measured.push({ tool: tool.name, bytes: answerBytes(answer) });
      }
    } catch (error) {
      notCalled.push(`${tool.name} (${excerpt(error instanceof Error ? error.message : String(error), 60)})`);
    }
  }
  return { measured, notCalled };
}

function requiredCount(tool: DoctorTool): number {
  const required = tool.inputSchema?.['required'];
  return Array.isArray(required) ? required.length : 0;
}

/** One result per selected client with a budget; nothing when none has one. */
export async function checkResponseBudget(
  ctx: DoctorContext,
  client: Client,
  tools: DoctorTool[],
): Promise<CheckResult[]> {
  const budgeted = ctx.clients.filter((c) => c.toolResultBudget);
  if (budgeted.length === 0) return [];
  const { measured, notCalled } = await measureListTools(ctx, client, tools);
  return budgeted.map((profile) => judgeBudget(profile, measured, notCalled));
}

/** Judges the measured answers against one client's budget. */
export function judgeBudget(profile: ClientProfile, measured: Measured[], notCalled: string[]): CheckResult {
  const id = `tools.budget.${profile.id}`;
  const title = `List tool answers fit ${profile.name}'s result limit`;
  const budget = profile.toolResultBudget!;
  const { maxTokens, bytesPerToken } = budget.value;
  const tokens = (m: Measured) => Math.ceil(m.bytes / bytesPerToken);
  const skipped = notCalled.length ? ` Not called: ${notCalled.join('; ')}.` : '';
  if (measured.length === 0) return skip(id, title, `no list tool could be called.${skipped}`);
  const largest = measured.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const over = measured.filter((m) => tokens(m) > maxTokens);
  if (over.length === 0) {
    return pass(id, title, {
      detail: `${measured.length} list tool(s) at their widest page; largest ${largest.tool} ≈ ${tokens(largest)} tokens (limit ${maxTokens}).${skipped}`,
    });
  }
  return warn(id, title, {
    detail: `${over.map((m) => `${m.tool} ≈ ${tokens(m)} tokens`).join(', ')} over ${maxTokens}.${skipped}`,
    fix: `Paginate or truncate ${over.map((m) => m.tool).join(', ')} with a cursor so each answer stays under ${maxTokens} tokens (${budget.source}).`,
  });
}
