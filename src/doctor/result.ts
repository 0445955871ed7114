/** Small constructors for check results, so every check reads as a list of verdicts. */
import type { CheckResult, CheckStatus } from './types.js';

interface Verdict {
  detail: string;
  fix?: string;
  curl?: string;
}

function make(status: CheckStatus, id: string, title: string, verdict: Verdict): CheckResult {
  const result: CheckResult = { id, title, status, detail: verdict.detail };
  if (verdict.fix && (status === 'warn' || status === 'fail')) result.fix = verdict.fix;
  if (verdict.curl) result.curl = verdict.curl;
  return result;
}

export const pass = (id: string, title: string, verdict: Verdict) => make('pass', id, title, verdict);
export const warn = (id: string, title: string, verdict: Verdict) => make('warn', id, title, verdict);
export const fail = (id: string, title: string, verdict: Verdict) => make('fail', id, title, verdict);
export const skip = (id: string, title: string, detail: string) => make('skip', id, title, { detail });

/** warn or fail, as a rule's severity says. */
export function flag(severity: 'warn' | 'fail', id: string, title: string, verdict: Verdict): CheckResult {
  return make(severity, id, title, verdict);
}
