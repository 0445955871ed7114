/**
 * `npm run demo`: the whole product on a fresh clone, with nothing but Node.js.
 *
 * Starts the NeonPanel sandbox and the bridge in front of it, then drives a real MCP client (the
 * official SDK) the way ChatGPT or Claude would: 401 challenge → protected-resource metadata →
 * authorization-server metadata → dynamic client registration → authorization code + PKCE as the
 * demo user alice (approved automatically) → tools/list → two tool calls → a document flow (list bills,
 * create an inventory order, see it listed, with the write's audit line). Then it prints the URLs, a
 * token and commands to try by hand, and keeps serving until Ctrl-C.
 *
 * Ports: SANDBOX_PORT [4010] and PORT [3000]; a busy port falls back to a free one.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import pc from 'picocolors';
import { startSandbox } from '../sandbox/index.js';
import { previewForDemo } from '../src/apps/preview/demo.js';
import { loadConfig, processEnv } from '../src/config/index.js';
import { startBridge } from '../src/main.js';
import { createLogger } from '../src/telemetry/logger.js';

type ClientMetadata = OAuthClientProvider['clientMetadata'];
type ClientInformation = Awaited<ReturnType<OAuthClientProvider['clientInformation']>>;
type Tokens = Awaited<ReturnType<OAuthClientProvider['tokens']>>;
type DiscoveryState = NonNullable<Awaited<ReturnType<NonNullable<OAuthClientProvider['discoveryState']>>>>;

const DEMO_USER = 'alice';
const REDIRECT_URL = 'http://127.0.0.1:53682/oauth/callback';
/** The MCP Inspector the printed command runs (the 2.x line; needs Node 22.19+, which `-p node@22` brings). */
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

const step = (text: string) => console.log(`${pc.cyan('→')} ${text}`);
const detail = (text: string) => console.log(`    ${pc.dim(text)}`);

/** `preferred` when nothing listens there, else a free port. */
async function pickPort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(undefined));
      probe.listen(port, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? 0;
}

function envPort(name: string, fallback: number): number {
  const raw = processEnv()[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(1);
  }
  return port;
}

/**
 * The OAuth side of an MCP client, kept in memory. `redirectToAuthorization` plays the browser: it
 * follows the authorization URL, which the sandbox (started with autoApprove) answers with a
 * redirect to our callback carrying the code.
 */
class DemoOAuthProvider implements OAuthClientProvider {
  private info: ClientInformation;
  private saved: Tokens;
  private verifier = '';
  private discovery: DiscoveryState | undefined;
  authorizationCode: string | undefined;

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): ClientMetadata {
    return {
      client_name: 'NeonPanel MCP demo',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid',
    };
  }
  clientInformation(): ClientInformation {
    return this.info;
  }
  saveClientInformation(information: NonNullable<ClientInformation>): void {
    this.info = information;
    step(`registered by dynamic client registration: client_id ${pc.bold(information.client_id)}`);
  }
  tokens(): Tokens {
    return this.saved;
  }
  saveTokens(tokens: NonNullable<Tokens>): void {
    this.saved = tokens;
    step(
      `token received (${tokens.token_type}, expires in ${tokens.expires_in ?? '?'} s, scope "${tokens.scope ?? ''}")`,
    );
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  /** Kept so the SDK can check that the code comes back from the same authorization server. */
  saveDiscoveryState(state: DiscoveryState): void {
    this.discovery = state;
  }
  discoveryState(): DiscoveryState | undefined {
    return this.discovery;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    step(
      `authorization request (PKCE ${url.searchParams.get('code_challenge_method')}, resource ${url.searchParams.get('resource')})`,
    );
    detail(
      `the sandbox approves it automatically as "${DEMO_USER}" (started with autoApprove); a person would log in here`,
    );
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || !location)
      throw new Error(`authorization answered ${response.status}, expected a redirect`);
    const callback = new URL(location);
    const code = callback.searchParams.get('code');
    if (!code)
      throw new Error(`authorization refused: ${callback.searchParams.get('error_description') ?? callback.search}`);
    this.authorizationCode = code;
  }
}

function summarise(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

interface Bill {
  id: number;
  ref_number: string | null;
  date: string | null;
  amount: number | null;
  currency: string | null;
  vendor: { name?: string } | null;
}

/** The document flow: list bills, create an inventory order, see it listed, and the audit line it left. */
async function documentFlow(
  client: Client,
  company: { uuid: string; name: string },
  item: { id: number; sku: string },
  auditLog: string,
): Promise<void> {
  const bills = summarise(
    await client.callTool({ name: 'list_bills', arguments: { companyUuid: company.uuid, per_page: 3 } }),
  ) as { data: Bill[] };
  step(`list_bills for ${company.name} → ${bills.data.length} bills on page 1`);
  for (const bill of bills.data) {
    detail(
      `#${bill.id} ${bill.ref_number ?? '-'}  ${bill.date ?? ''}  ${bill.amount ?? ''} ${bill.currency ?? ''}  ${bill.vendor?.name ?? ''}`,
    );
  }
  const refNumber = `PO-DEMO-${process.pid}`;
  const order = summarise(
    await client.callTool({
      name: 'create_inventory_order',
      arguments: {
        companyUuid: company.uuid,
        ref_number: refNumber,
        date_order_placed: new Date().toISOString().slice(0, 10),
        details: [{ inventory_id: item.id, quantity: 24, price: 3.5 }],
      },
    }),
  ) as { id: number; ref_number: string };
  step(`create_inventory_order → order #${order.id} (${order.ref_number}): 24 × ${item.sku} at 3.50`);
  const listed = summarise(
    await client.callTool({
      name: 'list_inventory_orders',
      arguments: { companyUuid: company.uuid, search: refNumber },
    }),
  ) as { data: { id: number }[] };
  const found = listed.data.some((row) => row.id === order.id);
  step(`list_inventory_orders (search ${refNumber}) → order #${order.id} ${found ? 'is listed' : 'is NOT listed'}`);
  if (!found) throw new Error(`the new inventory order ${order.id} is not listed`);
  // The audit logger writes asynchronously: give its line a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const line = readFileSync(auditLog, 'utf8').trim().split('\n').at(-1) ?? '';
  detail(`audit (${auditLog}): ${line}`);
}

async function main(): Promise<void> {
  console.log(pc.bold('NeonPanel MCP bridge demo\n'));
  const sandbox = await startSandbox({ port: await pickPort(envPort('SANDBOX_PORT', 4010)), autoApprove: DEMO_USER });
  step(`NeonPanel sandbox (OAuth server + API with demo data) on ${sandbox.url}`);

  const port = await pickPort(envPort('PORT', 3000));
  const auditLog = join(tmpdir(), `neonpanel-mcp-demo-audit-${process.pid}.log`);
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: publicUrl,
    NEONPANEL_ISSUER: sandbox.issuer,
    NEONPANEL_API_URL: sandbox.url,
    MCP_AUDIENCE: `${publicUrl}/mcp,${publicUrl}/mcp/readonly,${publicUrl}/sse,${publicUrl}`,
    MCP_SCOPES: 'openid',
    LOG_LEVEL: processEnv()['LOG_LEVEL'] ?? 'warn',
    // The write audit goes to a file of its own, so the demo can show the line its write leaves.
    AUDIT_LOG: auditLog,
  });
  const bridge = await startBridge(config, { logger: createLogger({ level: config.logLevel }) });
  const mcpUrl = `${publicUrl}/mcp`;
  step(`bridge on ${publicUrl}, MCP endpoint ${pc.bold(mcpUrl)}`);

  const challenge = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  step(`POST /mcp without a token → ${challenge.status}`);
  detail(`WWW-Authenticate: ${challenge.headers.get('www-authenticate')}`);

  const provider = new DemoOAuthProvider();
  const client = new Client({ name: 'neonpanel-demo', version: '1.0.0' });
  const connect = () => client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  try {
    await connect();
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationCode) throw error;
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await transport.finishAuth(provider.authorizationCode);
    await client.connect(transport);
  }
  step(`connected as ${DEMO_USER} (protocol ${client.getNegotiatedProtocolVersion?.() ?? 'negotiated'})`);

  const { tools } = await client.listTools();
  step(`tools/list: ${tools.length} tools`);
  for (const tool of tools) {
    const kind = tool.annotations?.readOnlyHint ? pc.green('read ') : pc.yellow('write');
    detail(`${kind} ${tool.name.padEnd(28)} ${tool.annotations?.title ?? tool.title ?? ''}`);
  }

  const companies = summarise(await client.callTool({ name: 'list_companies', arguments: {} })) as {
    data: { uuid: string; name: string; currency: string }[];
  };
  step(`list_companies → ${companies.data.length} companies alice can see`);
  for (const company of companies.data) detail(`${company.name} (${company.currency})  companyUuid ${company.uuid}`);

  const first = companies.data[0];
  if (first) {
    const items = summarise(
      await client.callTool({ name: 'list_inventory_items', arguments: { companyUuid: first.uuid, per_page: 10 } }),
    ) as { data: { id: number; sku: string; name: string }[]; last_page: number };
    step(`list_inventory_items for ${first.name} → page 1 of ${items.last_page}`);
    for (const item of items.data.slice(0, 5)) detail(`#${item.id} ${item.sku}  ${item.name}`);
    const item = items.data[0];
    if (item) await documentFlow(client, first, item, auditLog);
  }
  await client.close();

  const token = provider.tokens()?.access_token ?? '';
  // MCP Apps views rendered as a host would (src/apps/preview).
  const views = await previewForDemo(publicUrl, token);
  console.log(`\n${pc.bold('Try it yourself')} (Ctrl-C stops both servers)`);
  console.log(`  bridge status page   ${publicUrl}/`);
  console.log(`  MCP endpoint         ${mcpUrl}   (legacy SSE: ${publicUrl}/sse)`);
  console.log(`  sandbox              ${sandbox.url}/.well-known/oauth-authorization-server`);
  console.log(`  views preview        ${views.url}/   (each MCP Apps view with the sandbox's data)`);
  console.log(`\n  export TOKEN=${token}`);
  console.log(`\n  curl -s ${publicUrl}/healthz?deep=1`);
  console.log(
    `  curl -s ${mcpUrl} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\\n` +
      `    -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_companies","arguments":{}}}'`,
  );
  console.log(`  npx neonpanel-mcp doctor ${mcpUrl} --token "$TOKEN"`);
  console.log(
    `  npx -y -p node@22 -p ${INSPECTOR} mcp-inspector --cli ${mcpUrl} --header "Authorization: Bearer $TOKEN" --method tools/list`,
  );

  const stop = async () => {
    console.log('\nstopping…');
    await views.close();
    await bridge.close();
    await sandbox.close();
    rmSync(auditLog, { force: true });
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(pc.red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
  process.exit(1);
});
