/** The small HTML login/consent page of the sandbox's `/oauth2/authorize`. */

import { companyCount, type SandboxUser } from '../data/model.js';
import type { ClientRecord } from './clients.js';
import type { OAuthError } from './errors.js';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;line-height:1.5}
button{margin-right:.5rem;padding:.4rem 1rem}</style>`;

/** A sandbox page: the shared head and heading around `body`. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>NeonPanel sandbox: ${title}</title>
${STYLE}</head>
<body>
<h1>NeonPanel sandbox</h1>
${body}
</body>
</html>
`;
}

/** The page shown when an authorization request cannot go back to the client (unknown client or redirect URI). */
export function renderErrorPage(error: OAuthError): string {
  return page(
    'authorization refused',
    `<p>This sign-in request cannot be completed, and the application that sent you here cannot be told.</p>
<p><code id="error">${escapeHtml(error.code)}</code>: <span id="error_description">${escapeHtml(error.description)}</span></p>`,
  );
}

/** The page: pick a demo user, approve or deny. The form posts `request_id`, `user` and `decision`. */
export function renderConsentPage(input: {
  requestId: string;
  client: ClientRecord;
  scope: string;
  users: Readonly<Record<string, SandboxUser>>;
}): string {
  const clientName = escapeHtml(input.client.metadata.client_name ?? input.client.clientId);
  // A metadata document names itself: the person sees which site vouches for the name.
  const origin = input.client.fromMetadataDocument
    ? `\n<p>This client is described by <code>${escapeHtml(input.client.clientId)}</code>; continue only if you trust <strong>${escapeHtml(new URL(input.client.clientId).host)}</strong>.</p>`
    : '';
  const options = Object.values(input.users)
    .map(
      (user, index) =>
        `<label><input type="radio" name="user" value="${escapeHtml(user.id)}"${index === 0 ? ' checked' : ''}> ` +
        `${escapeHtml(user.name)} (${escapeHtml(user.id)}, ${companyCount(user)})</label><br>`,
    )
    .join('\n');
  return page(
    'sign in',
    `<p><strong>${clientName}</strong> asks to use your NeonPanel data (scope: <code>${escapeHtml(input.scope || '(none)')}</code>).</p>${origin}
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<fieldset><legend>Sign in as a demo user</legend>
${options}
</fieldset>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></p>
</form>`,
  );
}
