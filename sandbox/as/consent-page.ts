/** The small HTML login/consent page of the sandbox's `/oauth2/authorize`. */

import { companyCount, type SandboxUser } from '../data/model.js';
import type { ClientRecord } from './clients.js';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The page: pick a demo user, approve or deny. The form posts `request_id`, `user` and `decision`. */
export function renderConsentPage(input: {
  requestId: string;
  client: ClientRecord;
  scope: string;
  users: Readonly<Record<string, SandboxUser>>;
}): string {
  const clientName = escapeHtml(input.client.metadata.client_name ?? input.client.clientId);
  const options = Object.values(input.users)
    .map(
      (user, index) =>
        `<label><input type="radio" name="user" value="${escapeHtml(user.id)}"${index === 0 ? ' checked' : ''}> ` +
        `${escapeHtml(user.name)} (${escapeHtml(user.id)}, ${companyCount(user)})</label><br>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>NeonPanel sandbox: sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;line-height:1.5}
button{margin-right:.5rem;padding:.4rem 1rem}</style></head>
<body>
<h1>NeonPanel sandbox</h1>
<p><strong>${clientName}</strong> asks to use your NeonPanel data (scope: <code>${escapeHtml(input.scope || '(none)')}</code>).</p>
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<fieldset><legend>Sign in as a demo user</legend>
${options}
</fieldset>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></p>
</form>
</body>
</html>
`;
}
