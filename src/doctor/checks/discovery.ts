/** The 401 challenge and RFC 9728 protected-resource metadata at every path form clients try. */
import { asObject, excerpt, probe } from '../http.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { parseChallenge } from '../www-authenticate.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'doctor-initialize',
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'neonpanel-mcp-doctor', version: '1' },
  },
};

/** The MCP request headers every Streamable HTTP client sends. */
export const MCP_POST_HEADERS = { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' };

/** Fix sentence used whenever a URL built by the server does not match the URL the user reached. */
function publicUrlFix(ctx: DoctorContext, seen: string): string {
  return `Set MCP_PUBLIC_URL=${ctx.target.origin} (the server builds its URLs from ${new URL(seen).origin}, but clients reach it at ${ctx.target.origin} and compare the strings exactly).`;
}

/** `POST /mcp` initialize without a token → 401 with `WWW-Authenticate: Bearer resource_metadata=…`. */
export async function checkChallenge(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Unauthenticated challenge (POST /mcp → 401)';
  const res = await probe(ctx, { method: 'POST', url: ctx.target.mcpUrl, headers: MCP_POST_HEADERS, body: INITIALIZE });
  if (!res.ok)
    return [fail('auth.challenge', title, { detail: res.error, fix: 'Make /mcp reachable.', curl: res.curl })];
  const expected = `${ctx.target.origin}/.well-known/oauth-protected-resource/mcp`;
  if (res.status >= 200 && res.status < 300) {
    return [
      warn('auth.challenge', title, {
        detail: `initialize answered ${res.status} without a token, so clients learn about OAuth only on a later call.`,
        fix: 'Unset MCP_ALLOW_ANONYMOUS_DISCOVERY unless you want tools visible before login; ChatGPT and Claude start OAuth from the 401.',
        curl: res.curl,
      }),
    ];
  }
  if (res.status === 404) {
    return [
      fail('auth.challenge', title, {
        detail: `${ctx.target.mcpUrl} answered 404.`,
        fix: 'Route /mcp to the bridge; the URL clients are given must be the Streamable HTTP endpoint.',
        curl: res.curl,
      }),
    ];
  }
  const challenge = parseChallenge(res.headers.get('www-authenticate'));
  if (res.status !== 401 || !challenge || challenge.scheme.toLowerCase() !== 'bearer') {
    return [
      fail('auth.challenge', title, {
        detail: `HTTP ${res.status}, WWW-Authenticate: ${res.headers.get('www-authenticate') ?? '(none)'}.`,
        fix: 'Answer unauthenticated MCP requests with 401 and WWW-Authenticate: Bearer resource_metadata="…"; Claude Code does not fall back without it (claude-code#61376).',
        curl: res.curl,
      }),
    ];
  }
  const metadata = challenge.params['resource_metadata'];
  if (!metadata) {
    return [
      fail('auth.challenge', title, {
        detail: `401 with "${res.headers.get('www-authenticate')}" but no resource_metadata parameter.`,
        fix: `Add resource_metadata="${expected}" to the challenge; ChatGPT and Claude discover OAuth from it.`,
        curl: res.curl,
      }),
    ];
  }
  if (metadata !== expected) {
    return [
      fail('auth.challenge', title, {
        detail: `resource_metadata is ${metadata}; clients that reached ${ctx.target.mcpUrl} expect ${expected}.`,
        fix: publicUrlFix(ctx, metadata),
        curl: res.curl,
      }),
    ];
  }
  const scope = challenge.params['scope'];
  return [
    pass('auth.challenge', title, {
      detail: `401 with resource_metadata=${metadata}${scope ? `, scope="${scope}"` : ''}.`,
      curl: res.curl,
    }),
  ];
}

interface PrmForm {
  id: string;
  path: string;
  /** The `resource` values a client reaching this path accepts. */
  accepted: (ctx: DoctorContext) => string[];
  label: string;
}

const PRM_FORMS: PrmForm[] = [
  { id: 'prm.mcp', path: '/mcp', label: 'path-inserted for /mcp', accepted: (ctx) => [ctx.target.mcpUrl] },
  { id: 'prm.sse', path: '/sse', label: 'path-inserted for /sse', accepted: (ctx) => [ctx.target.sseUrl] },
  // RFC 9728 root metadata describes the host; ChatGPT and Gemini try it, so it must at least be this host.
  { id: 'prm.root', path: '', label: 'root', accepted: (ctx) => [ctx.target.origin, ctx.target.mcpUrl] },
];

async function checkPrmForm(ctx: DoctorContext, form: PrmForm): Promise<CheckResult> {
  const url = `${ctx.target.origin}/.well-known/oauth-protected-resource${form.path}`;
  const title = `Protected-resource metadata, ${form.label}`;
  const res = await probe(ctx, { url });
  if (!res.ok) return fail(form.id, title, { detail: res.error, fix: `Serve ${url}.`, curl: res.curl });
  const doc = asObject(res.json);
  if (res.status !== 200 || !doc) {
    const missing = res.status === 404 ? 'is missing (404)' : `answered ${res.status}: ${excerpt(res.text)}`;
    return fail(form.id, title, {
      detail: `${url} ${missing}.`,
      fix: `Publish RFC 9728 metadata at ${url} with resource "${form.accepted(ctx)[0]}".`,
      curl: res.curl,
    });
  }
  const resource = doc['resource'];
  const accepted = form.accepted(ctx);
  if (typeof resource !== 'string' || !accepted.includes(resource)) {
    const fix =
      typeof resource === 'string' && URL.canParse(resource) && new URL(resource).origin !== ctx.target.origin
        ? publicUrlFix(ctx, resource)
        : `Set resource to exactly "${accepted[0]}" (clients compare it strictly, a trailing slash included).`;
    return fail(form.id, title, {
      detail: `resource is ${JSON.stringify(resource)}; a client that reached ${accepted[0]} expects "${accepted[0]}".`,
      fix,
      curl: res.curl,
    });
  }
  const servers = doc['authorization_servers'];
  if (!Array.isArray(servers) || servers.length === 0 || typeof servers[0] !== 'string') {
    return fail(form.id, title, {
      detail: 'authorization_servers is missing or empty.',
      fix: 'List the issuer in authorization_servers (set NEONPANEL_ISSUER).',
      curl: res.curl,
    });
  }
  if (form.id === 'prm.mcp') {
    ctx.facts.prm = doc;
    ctx.facts.issuer = servers[0];
  }
  const methods = doc['bearer_methods_supported'];
  if (Array.isArray(methods) && !methods.includes('header')) {
    return warn(form.id, title, {
      detail: `bearer_methods_supported is ${JSON.stringify(methods)}.`,
      fix: 'Advertise bearer_methods_supported: ["header"]; every client sends the token in the Authorization header.',
      curl: res.curl,
    });
  }
  const scopes = Array.isArray(doc['scopes_supported']) ? ` scopes ${JSON.stringify(doc['scopes_supported'])},` : '';
  return pass(form.id, title, {
    detail: `resource ${resource},${scopes} authorization server ${servers[0]}.`,
    curl: res.curl,
  });
}

/** The three PRM documents: `/mcp`, `/sse` and the root. */
export async function checkProtectedResourceMetadata(ctx: DoctorContext): Promise<CheckResult[]> {
  return Promise.all(PRM_FORMS.map((form) => checkPrmForm(ctx, form)));
}
