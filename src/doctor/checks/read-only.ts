/** A read-only URL (`<origin>/mcp/readonly`): recognised, its own protected-resource metadata checked. */
import { asObject, probe } from '../http.js';
import { fail, pass } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

const READ_ONLY_PATH = '/mcp/readonly';

/**
 * When the URL given is the bridge's read-only endpoint, says so (a person who pasted it will not be able
 * to change data, which is the point) and checks that its RFC 9728 metadata names exactly that URL, as
 * clients compare it with what they were given. Other URLs get no result.
 */
export async function checkReadOnly(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!URL.canParse(ctx.target.input)) return [];
  if (new URL(ctx.target.input).pathname.replace(/\/+$/, '') !== READ_ONLY_PATH) return [];
  const title = 'Read-only connection (/mcp/readonly)';
  const expected = `${ctx.target.origin}${READ_ONLY_PATH}`;
  const url = `${ctx.target.origin}/.well-known/oauth-protected-resource${READ_ONLY_PATH}`;
  const res = await probe(ctx, { url });
  const resource = res.ok ? asObject(res.json)?.['resource'] : undefined;
  if (!res.ok || res.status !== 200 || resource !== expected) {
    return [
      fail('connection.readonly', title, {
        detail: `${url} ${res.ok ? `answered ${res.status} with resource ${JSON.stringify(resource)}` : res.error}; clients connecting to ${expected} expect resource "${expected}".`,
        fix: `Serve ${url} with resource "${expected}" (a bridge that predates read-only connections: use ${ctx.target.mcpUrl}).`,
        curl: res.curl,
      }),
    ];
  }
  return [
    pass('connection.readonly', title, {
      detail: `${expected} is a read-only connection: its tools/list holds read tools only and a write tool is refused without reaching NeonPanel. Connect with ${ctx.target.mcpUrl} to change data.`,
      curl: res.curl,
    }),
  ];
}
