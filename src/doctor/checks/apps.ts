/**
 * MCP Apps views, judged for each client that renders them: every tool's `_meta.ui.resourceUri` is a
 * `ui://` resource the server lists and reads as `text/html;profile=mcp-app`, with an explicit CSP whose
 * domains are https origins; ChatGPT also reads `openai/outputTemplate`. A server without views is
 * reported and left alone: views are optional.
 */
import type { Client } from '@modelcontextprotocol/client';
import { asObject } from '../http.js';
import { flag, pass } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { connect, errorText, listAll } from './tools.js';

/** The MIME type hosts render as a view; other types are ignored. */
export const APPS_MIME_TYPE = 'text/html;profile=mcp-app';

/** The profiles of clients that render MCP Apps views, and what each reads. */
export const APP_HOSTS: Readonly<Record<string, { outputTemplate: boolean; source: string }>> = {
  chatgpt: {
    outputTemplate: true,
    source:
      'ChatGPT renders MCP Apps views and also reads openai/outputTemplate (developers.openai.com/apps-sdk) [I: issue 27]',
  },
  claude: {
    outputTemplate: false,
    source: 'Claude web and desktop render MCP Apps views (io.modelcontextprotocol/ui, 2026-01-26) [I: issue 27]',
  },
  vscode: { outputTemplate: false, source: 'VS Code Copilot renders MCP Apps views [I: issue 27]' },
  cursor: { outputTemplate: false, source: 'Cursor renders MCP Apps views [I: issue 27]' },
};

/** What the lint reads: the server's capabilities, its tools' `_meta` and the views it lists and reads. */
export interface AppsListing {
  resourcesCapability: boolean;
  tools: { name: string; _meta?: Record<string, unknown> }[];
  /** `resources/list` URIs with their listing `_meta`. */
  listed: Map<string, Record<string, unknown> | undefined>;
  /** `resources/read` of each view URI a tool names: its first content item, or the error. */
  read: Map<string, { mimeType?: string; text?: string; _meta?: Record<string, unknown> } | { error: string }>;
}

export interface AppsProblem {
  severity: 'warn' | 'fail';
  message: string;
  fix: string;
}

/** A tool's view URI (`_meta.ui.resourceUri`, or the older flat `ui/resourceUri`). */
export function viewUriOf(meta: Record<string, unknown> | undefined): string | undefined {
  const nested = asObject(meta?.['ui'])?.['resourceUri'];
  const flat = meta?.['ui/resourceUri'];
  return typeof nested === 'string' ? nested : typeof flat === 'string' ? flat : undefined;
}

function cspProblems(uri: string, csp: unknown): AppsProblem[] {
  const policy = asObject(csp);
  if (!policy) {
    return [
      {
        severity: 'warn',
        message: `${uri} states no _meta.ui.csp`,
        fix: `Give ${uri} an explicit _meta.ui.csp (connectDomains, resourceDomains; empty lists for no network) so hosts and reviewers see what it reaches.`,
      },
    ];
  }
  const problems: AppsProblem[] = [];
  for (const key of ['connectDomains', 'resourceDomains', 'frameDomains']) {
    const domains = policy[key];
    if (domains === undefined) continue;
    const bad = Array.isArray(domains)
      ? domains.filter((d) => typeof d !== 'string' || !/^https:\/\/[^/\s]+$/.test(d))
      : [domains];
    if (bad.length > 0) {
      problems.push({
        severity: 'fail',
        message: `${uri} _meta.ui.csp.${key} has ${JSON.stringify(bad).slice(0, 80)}, not https origins`,
        fix: `List only https origins (like https://api.example.com) in _meta.ui.csp.${key} of ${uri}.`,
      });
    }
  }
  return problems;
}

/** The problems a host that renders views (and, with `outputTemplate`, reads ChatGPT's key) would meet. Pure. */
export function lintApps(listing: AppsListing, host: { outputTemplate: boolean }): AppsProblem[] {
  const problems: AppsProblem[] = [];
  const withViews = listing.tools.filter((tool) => viewUriOf(tool._meta) !== undefined);
  if (withViews.length > 0 && !listing.resourcesCapability) {
    problems.push({
      severity: 'fail',
      message: `${withViews.length} tools name a view but the server declares no resources capability`,
      fix: 'Declare the resources capability and serve resources/list and resources/read for the ui:// views.',
    });
  }
  const checked = new Set<string>();
  for (const tool of withViews) {
    const uri = viewUriOf(tool._meta)!;
    if (!uri.startsWith('ui://')) {
      problems.push({
        severity: 'fail',
        message: `${tool.name}'s _meta.ui.resourceUri "${uri.slice(0, 80)}" is not a ui:// URI`,
        fix: `Point ${tool.name}'s _meta.ui.resourceUri at a ui:// resource.`,
      });
      continue;
    }
    if (host.outputTemplate && tool._meta?.['openai/outputTemplate'] !== uri) {
      problems.push({
        severity: 'warn',
        message: `${tool.name} has no openai/outputTemplate equal to its view ${uri}`,
        fix: `Set ${tool.name}'s _meta["openai/outputTemplate"] to "${uri}" as well.`,
      });
    }
    if (checked.has(uri)) continue;
    checked.add(uri);
    if (!listing.listed.has(uri)) {
      problems.push({
        severity: 'fail',
        message: `${uri} (the view of ${tool.name}) is not in resources/list`,
        fix: `List ${uri} in resources/list.`,
      });
    }
    const content = listing.read.get(uri);
    if (!content || 'error' in content) {
      problems.push({
        severity: 'fail',
        message: `resources/read ${uri} failed: ${content && 'error' in content ? content.error : 'not read'}`,
        fix: `Serve ${uri} from resources/read.`,
      });
      continue;
    }
    if (content.mimeType !== APPS_MIME_TYPE || !content.text) {
      problems.push({
        severity: 'fail',
        message: `${uri} reads as ${content.mimeType ?? 'no MIME type'}${content.text ? '' : ' with no text'}, not ${APPS_MIME_TYPE} HTML`,
        fix: `Serve ${uri} as mimeType ${APPS_MIME_TYPE} with the HTML in text.`,
      });
    }
    // The content item's _meta.ui wins over the listing's (MCP Apps); either may carry the policy.
    const csp = asObject(content._meta?.['ui'])?.['csp'] ?? asObject(listing.listed.get(uri)?.['ui'])?.['csp'];
    problems.push(...cspProblems(uri, csp));
  }
  return problems;
}

async function readListing(ctx: DoctorContext, client: Client): Promise<AppsListing> {
  // The tools check, which runs first, already listed the tools with this token and server: list them
  // again only when it could not (or this check runs alone).
  const tools = ctx.facts.tools ?? (await listAll(ctx, client)).tools;
  const resourcesCapability = Boolean(client.getServerCapabilities()?.resources);
  const listed = new Map<string, Record<string, unknown> | undefined>();
  if (resourcesCapability) {
    const { resources } = await client.listResources(undefined, { timeout: ctx.timeoutMs });
    for (const resource of resources) listed.set(resource.uri, resource._meta);
  }
  const read: AppsListing['read'] = new Map();
  for (const uri of new Set(
    tools.map((t) => viewUriOf(t._meta)).filter((u): u is string => u?.startsWith('ui://') === true),
  )) {
    try {
      const { contents } = await client.readResource({ uri }, { timeout: ctx.timeoutMs });
      read.set(uri, (contents[0] ?? {}) as { mimeType?: string; text?: string; _meta?: Record<string, unknown> });
    } catch (error) {
      read.set(uri, { error: errorText(error) });
    }
  }
  return { resourcesCapability, tools, listed, read };
}

/** One result per selected client that renders views; none without a token or such a client. */
export async function checkApps(ctx: DoctorContext): Promise<CheckResult[]> {
  const hosts = ctx.clients.filter((profile) => APP_HOSTS[profile.id]);
  if (!ctx.token || hosts.length === 0) return [];
  let listing: AppsListing;
  let client: Client | undefined;
  try {
    client = await connect(ctx, 'streamable-http');
    listing = await readListing(ctx, client);
  } catch (error) {
    return [
      flag('warn', 'apps.views', 'MCP Apps views', {
        detail: `could not read the views: ${errorText(error)}`,
        fix: 'Make tools/list and resources/list answer over /mcp; the checks above say why they do not.',
      }),
    ];
  } finally {
    await client?.close().catch(() => undefined);
  }
  const views = new Set(listing.tools.map((t) => viewUriOf(t._meta)).filter(Boolean));
  return hosts.map((profile) => {
    const id = `apps.lint.${profile.id}`;
    const title = `MCP Apps views for ${profile.name}`;
    const host = APP_HOSTS[profile.id]!;
    if (views.size === 0) {
      return pass(id, title, {
        detail: 'no tool names a view: tools answer text and structuredContent only (MCP_APPS=false or no views).',
      });
    }
    const problems = lintApps(listing, host);
    if (problems.length === 0) {
      return pass(id, title, {
        detail: `${views.size} views for ${listing.tools.filter((t) => viewUriOf(t._meta)).length} tools, each listed, readable as ${APPS_MIME_TYPE} with an explicit CSP [${host.source}].`,
      });
    }
    const worst = problems.find((p) => p.severity === 'fail') ?? problems[0]!;
    const shown = problems
      .slice(0, 4)
      .map((p) => p.message)
      .join('; ');
    const more = problems.length > 4 ? ` (+${problems.length - 4} more)` : '';
    return flag(worst.severity, id, title, { detail: `${shown}${more} [${host.source}]`, fix: worst.fix });
  });
}
