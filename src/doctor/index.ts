/** The connection doctor: public surface for the CLI and tests. */
export { CHECKS, DEFAULT_TIMEOUT_MS, parseTarget, runDoctor, type RunHooks } from './run.js';
export { runLogin, type LoginOptions } from './login/run-login.js';
export { CLIENT_IDS, selectProfiles, type ClientProfile } from './profiles.js';
export { lintTools, type LintProblem } from './lint.js';
export type { CheckResult, CheckStatus, DoctorOptions, DoctorReport } from './types.js';
export { isLoopbackHost } from './token-recipient.js';
