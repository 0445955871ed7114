import { audiencePolicy, describeAudiencePolicy, resourceMetadataUrl } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { PROTOCOL_VERSIONS } from '../mcp/observe.js';
import { type ServerIcon, serverIdentity } from '../mcp/package-info.js';

/** The `GET /` document, in the shape of the troubleshooting document's Step 1. */
export interface ServerInfo {
  name: string;
  /** The same `title`, `websiteUrl` and `icons` as the MCP `serverInfo`. */
  title: string;
  version: string;
  websiteUrl: string;
  icons: ServerIcon[];
  /** The newest MCP protocol revision served; `protocols` lists every one. */
  protocol: string;
  protocols: string[];
  description: string;
  endpoints: Record<string, string>;
  /** `audience_policy`: which token `aud` values are accepted, so the doctor can say it from outside. */
  oauth: { issuer: string; required: boolean; resource_metadata: string; audience_policy: string };
  documentation: string;
}

const DOCUMENTATION = 'https://github.com/5starsunited/neonpanel-mcp-server';

/** Builds the server-info document; every URL is absolute, from MCP_PUBLIC_URL. */
export function buildServerInfo(
  config: Pick<Config, 'publicUrl' | 'issuer' | 'legacySse' | 'audience' | 'apiUrl'>,
): ServerInfo {
  const url = (path: string) => `${config.publicUrl}${path}`;
  const endpoints: Record<string, string> = {
    mcp: url('/mcp'),
    health: url('/healthz'),
    ready: url('/readyz'),
    metrics: url('/metrics'),
    oauth_protected_resource: resourceMetadataUrl(config.publicUrl, 'mcp'),
    oauth_discovery: url('/.well-known/oauth-authorization-server'),
    openapi_json: url('/openapi.json'),
    openapi_yaml: url('/openapi.yaml'),
    messages: url('/messages'),
  };
  if (config.legacySse) endpoints['sse'] = url('/sse');
  const identity = serverIdentity(config.publicUrl);
  return {
    name: identity.name,
    title: identity.title,
    version: identity.version,
    websiteUrl: identity.websiteUrl,
    icons: identity.icons,
    protocol: PROTOCOL_VERSIONS[0],
    protocols: [...PROTOCOL_VERSIONS],
    description: 'NeonPanel MCP Server - Access NeonPanel APIs via Model Context Protocol',
    endpoints,
    oauth: {
      issuer: config.issuer,
      required: true,
      resource_metadata: resourceMetadataUrl(config.publicUrl, 'mcp'),
      audience_policy: describeAudiencePolicy(audiencePolicy(config)),
    },
    documentation: DOCUMENTATION,
  };
}
