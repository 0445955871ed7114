import type { Config } from '../config/index.js';

/** An RFC 9728 protected-resource metadata document. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
  resource_documentation: string;
}

/**
 * Which resource a document describes: the Streamable HTTP endpoint, its read-only twin, the legacy SSE
 * endpoint, or the origin.
 */
export type ResourceKind = 'mcp' | 'mcp/readonly' | 'sse' | 'root';

const RESOURCE_NAMES: Record<ResourceKind, string> = {
  mcp: 'NeonPanel MCP',
  'mcp/readonly': 'NeonPanel MCP (read-only)',
  sse: 'NeonPanel MCP (legacy SSE)',
  root: 'NeonPanel MCP',
};

/**
 * The document for one resource. `resource` is built exactly (no trailing slash drift): clients
 * compare it strictly with the URL the user pasted (RFC 9728 §3.3; VS Code and Gemini CLI refuse a
 * mismatch). `resource_documentation` is the bridge's own `/`, which tells a person how to connect.
 */
export function buildResourceMetadata(
  config: Pick<Config, 'publicUrl' | 'issuer' | 'scopes'>,
  kind: ResourceKind,
): ProtectedResourceMetadata {
  const resource = kind === 'root' ? config.publicUrl : `${config.publicUrl}/${kind}`;
  return {
    resource,
    authorization_servers: [config.issuer],
    ...(config.scopes?.length ? { scopes_supported: [...config.scopes] } : {}),
    bearer_methods_supported: ['header'],
    resource_name: RESOURCE_NAMES[kind],
    resource_documentation: `${config.publicUrl}/`,
  };
}
