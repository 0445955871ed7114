/** Terminal rendering of doctor results: one ✓/⚠/✗ line per check, a `fix:` line under warn and fail. */
import pc from 'picocolors';
import type { CheckResult, DoctorReport } from '../doctor/index.js';

const MARK = { pass: pc.green('✓'), warn: pc.yellow('⚠'), fail: pc.red('✗'), skip: pc.dim('–') } as const;

/** The lines printed for one result (no trailing newline). */
export function renderResult(result: CheckResult, options: { curl?: boolean } = {}): string {
  const title = result.status === 'skip' ? pc.dim(result.title) : result.title;
  const lines = [
    `${MARK[result.status]} ${title} ${pc.dim('—')} ${result.status === 'skip' ? pc.dim(result.detail) : result.detail}`,
  ];
  if (result.fix)
    lines.push(`    ${pc.bold(result.status === 'fail' ? pc.red('fix:') : pc.yellow('fix:'))} ${result.fix}`);
  if (result.curl && (options.curl || result.status === 'fail')) lines.push(pc.dim(`    $ ${result.curl}`));
  return lines.join('\n');
}

/** The header printed before the first check; `how` says where the token comes from. */
export function renderHeader(url: string, clients: readonly string[], how: 'token' | 'none' | 'login'): string {
  const token = {
    token: ' with a token',
    none: ' without a token (pass --token to check tokens and tools, or --login to sign in)',
    login: ' signing in as a client would (--login)',
  }[how];
  return pc.bold(`NeonPanel MCP doctor → ${url}`) + pc.dim(`\nclients: ${clients.join(', ')};${token}\n`);
}

/** The closing summary line. */
export function renderSummary(report: DoctorReport): string {
  const { pass, warn, fail, skip } = report.summary;
  const parts = [pc.green(`${pass} passed`), warn ? pc.yellow(`${warn} warnings`) : `${warn} warnings`];
  parts.push(fail ? pc.red(`${fail} failed`) : `${fail} failed`, pc.dim(`${skip} skipped`));
  const verdict = report.ok
    ? pc.green('No failures: clients should connect.')
    : pc.red('Fix the ✗ lines above, then run the doctor again.');
  return `\n${parts.join(', ')} in ${(report.durationMs / 1000).toFixed(1)} s. ${verdict}`;
}
