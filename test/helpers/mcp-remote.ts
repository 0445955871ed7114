import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** mcp-remote's entry point, from the project's own devDependency (nothing is fetched at test time). */
const MCP_REMOTE = join(process.cwd(), 'node_modules/mcp-remote/dist/proxy.js');

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
