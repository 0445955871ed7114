import type { Config } from '../config/index.js';
import { PROTOCOL_VERSIONS } from '../mcp/observe.js';
import { packageInfo } from '../mcp/package-info.js';

/** The `GET /` document, in the shape of the troubleshooting document's Step 1. */
export interface ServerInfo {
  name: string;
  version: string;
  /** The newest MCP protocol revision served; `protocols` lists every one. */
  protocol: string;
  protocols: string[];
  description: string;
  endpoints: Record<string, string>;
  oauth: { issuer: string; required: boolean; resource_metadata: string };
  documentation: string;
}

const DOCUMENTATION = 'https://github.com/5starsunited/neonpanel-mcp-server';

/** Builds the server-info document; every URL is absolute, from MCP_PUBLIC_URL. */
export function buildServerInfo(config: Pick<Config, 'publicUrl' | 'issuer' | 'legacySse'>): ServerInfo {
  const url = (path: string) => `${config.publicUrl}${path}`;
  const endpoints: Record<string, string> = {
    mcp: url('/mcp'),
    health: url('/healthz'),
    ready: url('/readyz'),
    metrics: url('/metrics'),
    oauth_protected_resource: url('/.well-known/oauth-protected-resource/mcp'),
    oauth_discovery: url('/.well-known/oauth-authorization-server'),
    openapi_json: url('/openapi.json'),
    openapi_yaml: url('/openapi.yaml'),
    messages: url('/messages'),
  };
  if (config.legacySse) endpoints['sse'] = url('/sse');
  return {
    name: packageInfo.name,
    version: packageInfo.version,
    protocol: PROTOCOL_VERSIONS[0],
    protocols: [...PROTOCOL_VERSIONS],
    description: 'NeonPanel MCP Server - Access NeonPanel APIs via Model Context Protocol',
    endpoints,
    oauth: {
      issuer: config.issuer,
      required: true,
      resource_metadata: url('/.well-known/oauth-protected-resource/mcp'),
    },
    documentation: DOCUMENTATION,
  };
}
