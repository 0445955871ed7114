import type { CallToolResult } from '@modelcontextprotocol/server';
import type { UpstreamFailure } from '../upstream/index.js';

/** What a failed call was about, so the message can name the ids involved. */
export interface FailureSubject {
  tool: string;
  /** Arguments that identify things (path parameters, company filters), by argument name. */
  ids: Readonly<Record<string, string | readonly string[]>>;
  /** True for calls that change data (the message then says whether it may have been applied). */
  write: boolean;
  /** Where the bridge's protected-resource metadata lives, for ChatGPT's re-link prompt on 401. */
  resourceMetadataUrl: string;
  timeoutMs: number;
}

/** An isError result with one text item (and optional `_meta`). */
export function errorResult(text: string, meta?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, ...(meta ? { _meta: meta } : {}) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** NeonPanel's own words from an error body, bounded and on one line. */
function upstreamMessage(body: unknown): string | undefined {
  const raw = isObject(body) ? (body['message'] ?? body['error_description'] ?? body['error']) : body;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const line = raw.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Rejected fields from a 422/400 body: `{errors: {field: [msg]}}` (Laravel) or `{errors: [{field, message}]}`. */
function rejectedFields(body: unknown): string[] {
  if (!isObject(body)) return [];
  const errors = body['errors'] ?? body['fields'];
  if (isObject(errors)) {
    return Object.entries(errors).map(([field, value]) => {
      const messages = (Array.isArray(value) ? value : [value]).map((m) => String(m).replace(/\.$/, '')).join('; ');
      return `${field}: ${messages}`;
    });
  }
  if (Array.isArray(errors)) {
    return errors
      .filter(isObject)
      .map((e) => `${String(e['field'] ?? e['name'] ?? '?')}: ${String(e['message'] ?? '')}`);
  }
  if (typeof body['field'] === 'string') return [`${body['field']}: ${upstreamMessage(body) ?? 'rejected'}`];
  return [];
}

function describeIds(ids: FailureSubject['ids']): string {
  return Object.entries(ids)
    .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(', ') : value}`)
    .join(', ');
}

function companyOf(ids: FailureSubject['ids']): string | undefined {
  const one = ids['companyUuid'];
  if (typeof one === 'string') return `company ${one}`;
  const many = ids['company_uuids'];
  if (Array.isArray(many) && many.length > 0) return `${many.length > 1 ? 'companies' : 'company'} ${many.join(', ')}`;
  return undefined;
}

/**
 * Turns an upstream failure into a tool error a model can act on: what happened, whose id, and
 * the next step. Never a stack trace, never the token.
 */
export function failureResult(failure: UpstreamFailure, subject: FailureSubject): CallToolResult {
  const said = upstreamMessage(failure.body);
  const saidPart = said ? ` NeonPanel said: "${said}".` : '';
  const ref = `request id ${failure.requestId}`;
  const details: Record<string, unknown> = { kind: failure.kind, request_id: failure.requestId };
  if (failure.status !== undefined) details['status'] = failure.status;
  const mayHaveApplied =
    subject.write && failure.maybeApplied
      ? ' The write may or may not have reached NeonPanel: check (e.g. with check_import_processing) or ask the user before sending it again.'
      : '';
  let text: string;
  switch (failure.kind) {
    case 'unauthorized':
      text =
        'The NeonPanel session has expired or was revoked (HTTP 401). Ask the user to reconnect the NeonPanel ' +
        'connector (sign in again), then retry.';
      return errorResult(text, {
        'neonpanel/error': details,
        'mcp/www_authenticate': [
          `Bearer resource_metadata="${subject.resourceMetadataUrl}", error="invalid_token", error_description="The NeonPanel session expired; sign in again"`,
        ],
      });
    case 'forbidden': {
      const what = companyOf(subject.ids) ?? (describeIds(subject.ids) || 'this data');
      text = `The user has no access to ${what} in NeonPanel (HTTP 403).${saidPart} Call list_companies to see the companies this user can access.`;
      break;
    }
    case 'not_found': {
      const what = describeIds(subject.ids);
      text = what
        ? `NeonPanel found nothing for ${what} (HTTP 404).${saidPart} Check these ids: the list_ tools and search return valid ones.`
        : `NeonPanel answered 404 Not Found.${saidPart}`;
      break;
    }
    case 'rejected': {
      const fields = rejectedFields(failure.body);
      text = fields.length
        ? `NeonPanel rejected these arguments (HTTP ${failure.status}): ${fields.join('; ')}. Fix them and call ${subject.tool} again.`
        : `NeonPanel rejected the request (HTTP ${failure.status}).${saidPart} Check the arguments and call ${subject.tool} again.`;
      break;
    }
    case 'rate_limited':
      details['retry_after_seconds'] = failure.retryAfterSeconds;
      text =
        `NeonPanel is rate-limiting requests (HTTP 429). Wait ${failure.retryAfterSeconds} seconds, then call ` +
        `${subject.tool} again (retry_after_seconds: ${failure.retryAfterSeconds}).`;
      break;
    case 'busy':
      details['retry_after_seconds'] = failure.retryAfterSeconds;
      text =
        'Too many NeonPanel calls are running for this user at once. Wait for the others to finish, then call ' +
        `${subject.tool} again (retry_after_seconds: ${failure.retryAfterSeconds}). Nothing was sent to NeonPanel.`;
      break;
    case 'unavailable':
      text = `NeonPanel had a temporary server error (HTTP ${failure.status}). Try again in a few seconds (${ref}).${mayHaveApplied}`;
      break;
    case 'timeout':
      text = `NeonPanel did not answer within ${Math.round(subject.timeoutMs / 1000)} s. This is usually temporary: try again shortly (${ref}).${mayHaveApplied}`;
      break;
    case 'connection':
      text = `The connection to NeonPanel failed or was dropped. This is usually temporary: try again shortly (${ref}).${mayHaveApplied}`;
      break;
    case 'cancelled':
      text = `The call was cancelled before NeonPanel answered (${ref}).${mayHaveApplied}`;
      break;
    case 'unexpected':
      text =
        failure.status !== undefined
          ? `NeonPanel answered with an unexpected HTTP ${failure.status}.${saidPart} (${ref})`
          : `NeonPanel's answer could not be read (${ref}).`;
      break;
  }
  return errorResult(text, { 'neonpanel/error': details });
}
