/** What a 2026-07-28 client puts on the wire, for tests that send such requests or classify them. */

export const REVISION_2026 = '2026-07-28';

/** The per-request `_meta` envelope of the 2026-07-28 revision, naming `revision`. */
export function modernMeta(revision = REVISION_2026): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': revision,
    'io.modelcontextprotocol/clientInfo': { name: 'test-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

/**
 * A 2026-07-28 request as the SDK client sends it (or one naming another `revision`): the envelope in
 * `params._meta`, and the standard headers (`MCP-Protocol-Version`, `Mcp-Method`, and `Mcp-Name` when
 * `params.name` is a string). Header names are lower case, as Node gives them, so the headers serve a
 * `fetch` and a Node request alike.
 */
export function modernRequest(
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  revision = REVISION_2026,
) {
  const body = { jsonrpc: '2.0', id, method, params: { ...params, _meta: modernMeta(revision) } };
  const headers: Record<string, string> = { 'mcp-protocol-version': revision, 'mcp-method': method };
  if (typeof params['name'] === 'string') headers['mcp-name'] = params['name'];
  return { body, headers };
}

/** `request` with some of its headers replaced, and those given as undefined left out. */
export function withHeaders<Request extends { headers: Record<string, string> }>(
  request: Request,
  changes: Record<string, string | undefined>,
): Request {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...request.headers, ...changes })) {
    if (value !== undefined) headers[name] = value;
  }
  return { ...request, headers };
}
