/**
 * What the doctor tests run against: the bridge and sandbox as a deployment in good order, plus small
 * servers: an MCP server built with the SDK that serves badly shaped tools, and a loopback proxy that
 * strips CORS from another server.
 */
import { type IncomingMessage, type Server as HttpServer, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toWebRequest } from '@modelcontextprotocol/node';
import {
  type CallToolResult,
  Server,
  type Tool,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { type Stack, startStack } from '../../helpers/stack.js';

/**
 * The bridge and sandbox with NeonPanel's scope advertised (`openid`, the one scope NeonPanel API 1.2
 * defines), and alice's token for its /mcp; close the stack in `afterAll`.
 */
export async function startDoctorStack(): Promise<{ stack: Stack; token: string }> {
  const stack = await startStack({ env: { MCP_SCOPES: 'openid' }, logLevel: 'warn' });
  const token = await stack.tokenFor('alice', { aud: `${stack.url}/mcp` });
  return { stack, token };
}

export interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: HttpServer): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/**
 * An MCP server (official SDK, stateless Streamable HTTP at /mcp) whose only tools are `tools`; a call
 * answers `answers[name]`, or the text `ok`.
 */
export async function startFixtureMcpServer(
  tools: Tool[],
  answers: Record<string, CallToolResult> = {},
): Promise<Running> {
  const http = createServer(async (req, res) => {
    if (req.method === 'GET') {
      // Stateless: no server stream to open (405 as the spec allows).
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (!req.url?.startsWith('/mcp')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const server = new Server({ name: 'fixture', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', () => ({ tools }));
    server.setRequestHandler(
      'tools/call',
      (request) => answers[request.params.name] ?? { content: [{ type: 'text', text: 'ok' }] },
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(await toWebRequest(req as IncomingMessage));
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    res.writeHead(response.status, headers).end(Buffer.from(await response.arrayBuffer()));
    await server.close();
  });
  return { url: await listen(http), close: closer(http) };
}

/**
 * A reverse proxy to `target()` that drops every `Access-Control-*` response header and answers
 * preflights itself with a bare 200, like a CDN or proxy configured without CORS.
 */
export async function startCorsStrippingProxy(target: () => string): Promise<Running> {
  const http = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { allow: 'GET, POST' }).end();
      return;
    }
    const upstream = new URL(req.url ?? '/', target());
    const forward = httpRequest(
      upstream,
      { method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const headers = Object.fromEntries(
          Object.entries(answer.headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
        );
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  return { url: await listen(http), close: closer(http) };
}
