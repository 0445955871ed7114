import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

/**
 * The three generations of MCP over HTTP that real clients use, each through the official v2 client:
 * legacy HTTP+SSE (2024-11-05), Streamable HTTP with a session (2025), and 2026-07-28 stateless requests.
 */
export const TRANSPORTS = ['sse', 'streamable', 'stateless'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** A connected client and how to find its session on the wire. */
export interface ConnectedClient {
  client: Client;
  kind: TransportKind;
  /** The session id the server issued (legacy `sessionId` or `Mcp-Session-Id`); undefined when stateless. */
  sessionId: string | undefined;
  close(): Promise<void>;
}

/** Connects a real MCP client over `kind` with `Authorization: Bearer <token>` on every request. */
export async function connectClient(baseUrl: string, token: string, kind: TransportKind): Promise<ConnectedClient> {
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  const client = new Client(
    { name: 'reliability-suite', version: '1.0.0' },
    kind === 'stateless' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  if (kind === 'sse') {
    const transport = new SSEClientTransport(new URL('/sse', baseUrl), { requestInit });
    await client.connect(transport);
    const endpoint = (transport as unknown as { _endpoint?: URL })._endpoint;
    return {
      client,
      kind,
      sessionId: endpoint?.searchParams.get('sessionId') ?? undefined,
      close: () => client.close(),
    };
  }
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit });
  await client.connect(transport);
  return {
    client,
    kind,
    sessionId: transport.sessionId,
    async close() {
      // Ending a 2025 session is a DELETE; the server must drop it, not wait for the idle timeout.
      if (transport.sessionId) await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}
