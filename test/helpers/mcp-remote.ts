import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { WatchedOutput } from './output.js';

/** mcp-remote's entry point, from the project's own devDependency (nothing is fetched at test time). */
const MCP_REMOTE = join(process.cwd(), 'node_modules/mcp-remote/dist/proxy.js');

const AUTHORIZE_PROMPT = /Please authorize this client by visiting:\s*\n(\S+)/;
/**
 * Printed once mcp-remote listens for the callback's outcome. A denial that arrives before it is lost
 * (mcp-remote 0.15 then waits for ever), so the test's person, like a real one, answers after it.
 */
const WAITING = 'Waiting for authorization';

/** The authorization URL mcp-remote prints on `stderr` for the browser, once it waits for the answer. */
export function printedAuthorizationUrl(stderr: WatchedOutput, ms: number): Promise<string> {
  return stderr.until(
    (text) => (text.includes(WAITING) ? AUTHORIZE_PROMPT.exec(text)?.[1] : undefined),
    ms,
    'mcp-remote did not print an authorization URL and wait for the answer',
  );
}

/** The bridge's two MCP endpoints and the mcp-remote `--transport` strategy that speaks each. */
export const MCP_REMOTE_STRATEGIES = { mcp: 'http-only', sse: 'sse-only' } as const;

/**
 * mcp-remote in front of `<origin>/<endpoint>` as a stdio MCP transport, with `args` after the URL and its
 * state (client registrations, tokens) in `configDir`.
 */
export function mcpRemoteTransport(
  origin: string,
  endpoint: keyof typeof MCP_REMOTE_STRATEGIES,
  options: { args?: string[]; configDir: string; env?: Record<string, string>; stderr: 'ignore' | 'pipe' },
): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [
      MCP_REMOTE,
      `${origin}/${endpoint}`,
      ...(options.args ?? []),
      '--transport',
      MCP_REMOTE_STRATEGIES[endpoint],
    ],
    env: { ...process.env, MCP_REMOTE_CONFIG_DIR: options.configDir, ...options.env } as Record<string, string>,
    stderr: options.stderr,
  });
}
