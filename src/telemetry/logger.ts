import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/index.js';

export type { Logger };

/**
 * Paths pino blanks in every log line. Tokens and secrets must never reach logs: besides these
 * paths, code logs only a token's hash (see auth) and never raw headers or request bodies.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.cookie',
  'req.headers.cookie',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'refreshToken',
  'client_secret',
  'registration_access_token',
  'code_verifier',
  'password',
  '*.authorization',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to read every line back. */
  destination?: pino.DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name ?? 'neonpanel-mcp',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous stdout: a line is handed to the OS off the request path, and lines written while one
    // write is under way go out together. pino flushes what is left when the process exits.
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

const unredactedChildren = new WeakMap<Logger, Logger>();

/**
 * The same logger without redaction, for lines whose fields are all fixed names holding scalars that
 * cannot carry a secret (the access log). Redaction walks every path in REDACT_PATHS on each line, a
 * large share of what a tool call spends on logging. One child per logger, kept.
 */
export function unredacted(logger: Logger): Logger {
  let child = unredactedChildren.get(logger);
  if (!child) {
    child = logger.child({}, { redact: { paths: [] } });
    unredactedChildren.set(logger, child);
  }
  return child;
}

/** A logger that writes nothing, for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
