/**
 * `doctor --login`: the whole sign-in as a client does it, each step a check with its fix: discovery
 * from the 401, a client id (CIMD or registration), the authorization request in a browser, the
 * loopback redirect, the code exchange, `tools/list` and one read-only call on each transport, and a
 * refresh (then the transports' first call again with the refreshed token). No token is ever printed.
 */
import { connect, errorText, listAll, pickReadOnlyTool } from '../checks/tools.js';
import type { ConnectionKind } from '../checks/tools.js';
import { firstText } from '../http.js';
import { fail, pass, skip, warn } from '../result.js';
import { type RunHooks, buildReport, newContext, scrub } from '../run.js';
import type { CheckResult, DoctorContext, DoctorOptions, DoctorReport } from '../types.js';
import { startLoopbackListener } from './loopback.js';
import { authorizationRequest, discover, obtainClient } from './oauth.js';
import { type Tokens, exchangeCode, refresh } from './tokens.js';

/** How long a person has to sign in before the doctor gives up. */
export const DEFAULT_LOGIN_WAIT_MS = 5 * 60_000;

export interface LoginOptions extends Omit<DoctorOptions, 'token' | 'register'> {
  /**
   * Opens the authorization URL in a browser; resolves false when it cannot (the URL is then only
   * printed). Tests pass one that drives headless Chromium.
   */
  openBrowser?: (url: string) => Promise<boolean>;
  /** Called with the authorization URL before the browser opens, so the person can open it by hand. */
  onAuthorizationUrl?: (url: string) => void;
  /** How long to wait for the redirect. */
  loginWaitMs?: number;
}

const TRANSPORTS: readonly { kind: ConnectionKind; label: string }[] = [
  { kind: 'streamable-http', label: 'Streamable HTTP 2025-11-25' },
  { kind: 'modern', label: 'stateless 2026-07-28' },
  { kind: 'sse', label: 'legacy HTTP+SSE' },
];

/** `tools/list` and one read-only call over `kind`, with the context's token. */
async function useTools(ctx: DoctorContext, kind: ConnectionKind, label: string, id: string): Promise<CheckResult> {
  const title = `tools/list and a read-only call over ${label}`;
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    client = await connect(ctx, kind);
    const { tools } = await listAll(ctx, client);
    const tool = pickReadOnlyTool(tools);
    if (!tool)
      return warn(id, title, {
        detail: `${tools.length} tools, none read-only without arguments to call.`,
        fix: 'Mark read tools with readOnlyHint: true.',
      });
    const result = await client.callTool({ name: tool.name, arguments: {} }, { timeout: ctx.timeoutMs });
    if (result.isError) {
      return fail(id, title, {
        detail: `${tools.length} tools; ${tool.name} answered isError: ${firstText(result)}`,
        fix: 'The signed-in user could list tools but not call one: check the token checks (doctor --token) and NeonPanel access.',
      });
    }
    return pass(id, title, { detail: `${tools.length} tools; ${tool.name} answered.` });
  } catch (error) {
    if (kind === 'sse' && /404|405/.test(errorText(error))) {
      return skip(id, title, 'Legacy SSE is off on this server (clients configured with /sse cannot connect).');
    }
    return fail(id, title, {
      detail: errorText(error),
      fix: `A signed-in client must reach the tools over ${label}; run the doctor with --token for the transport checks.`,
    });
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** Runs the login walk and returns its report; never throws for a broken deployment. */
export async function runLogin(options: LoginOptions, hooks: RunHooks = {}): Promise<DoctorReport> {
  const started = Date.now();
  const ctx = newContext({ ...options, register: false });
  const secrets: string[] = [];
  const results: CheckResult[] = [];
  const emit = (result: CheckResult) => {
    const safe = secrets.reduce((clean, secret) => scrub(clean, secret, '$SECRET'), result);
    results.push(safe);
    hooks.onResult?.(safe);
  };
  const report = () => buildReport(ctx, started, results);

  const found = await discover(ctx);
  found.results.forEach(emit);
  if (!found.value) return report();
  const listener = await startLoopbackListener();
  try {
    const client = await obtainClient(ctx, found.value, listener.redirectUri);
    emit(client.result);
    if (!client.value) return report();

    const request = authorizationRequest(found.value, client.value, listener.redirectUri);
    secrets.push(request.verifier);
    options.onAuthorizationUrl?.(request.url);
    const opened = options.openBrowser ? await options.openBrowser(request.url).catch(() => false) : false;
    const title = 'Sign-in in the browser (PKCE S256, resource)';
    let answer: Awaited<ReturnType<typeof listener.response>>;
    try {
      answer = await listener.response(options.loginWaitMs ?? DEFAULT_LOGIN_WAIT_MS);
    } catch (error) {
      emit(
        fail('login.authorize', title, {
          detail: `${opened ? 'the browser opened, but ' : 'no browser could be opened and '}${errorText(error)}.`,
          fix: 'Open the printed URL, sign in and approve; if the issuer shows an error page, it names what it refused.',
        }),
      );
      return report();
    }
    if (answer.code) secrets.push(answer.code);
    if (answer.state !== request.state) {
      emit(
        fail('login.authorize', title, {
          detail: 'the redirect came back with another state.',
          fix: 'Have the issuer return state unchanged (RFC 6749 §4.1.2).',
        }),
      );
      return report();
    }
    if (answer.iss !== undefined && answer.iss !== found.value.issuer) {
      emit(
        fail('login.authorize', title, {
          detail: `the redirect names issuer ${answer.iss}, not ${found.value.issuer}.`,
          fix: 'Set NEONPANEL_ISSUER to the issuer that signs people in (RFC 9207).',
        }),
      );
      return report();
    }
    if (!answer.code) {
      emit(
        fail('login.authorize', title, {
          detail: `the issuer answered ${answer.error ?? 'without a code'}${answer.errorDescription ? `: ${answer.errorDescription}` : ''}.`,
          fix:
            answer.error === 'access_denied'
              ? 'Approve the request on the consent page.'
              : 'Read the issuer error above: the request carried what real clients send.',
        }),
      );
      return report();
    }
    emit(pass('login.authorize', title, { detail: `approved; the code came back to ${listener.redirectUri}.` }));

    const exchanged = await exchangeCode(ctx, found.value, client.value, answer.code, request, listener.redirectUri);
    if (exchanged.value) secrets.push(...tokenSecrets(exchanged.value));
    emit(exchanged.result);
    if (!exchanged.value) return report();

    const signedIn: DoctorContext = { ...ctx, token: exchanged.value.access };
    for (const { kind, label } of TRANSPORTS) emit(await useTools(signedIn, kind, label, `login.tools.${kind}`));

    const refreshed = await refresh(ctx, found.value, client.value, exchanged.value);
    if (refreshed.value) secrets.push(...tokenSecrets(refreshed.value));
    emit(refreshed.result);
    if (refreshed.value) {
      const again = { ...ctx, token: refreshed.value.access };
      emit(
        await useTools(again, 'streamable-http', 'Streamable HTTP with the refreshed token', 'login.tools.refreshed'),
      );
    }
    return report();
  } finally {
    await listener.close();
  }
}

function tokenSecrets(tokens: Tokens): string[] {
  return [tokens.access, ...(tokens.refresh ? [tokens.refresh] : [])];
}
