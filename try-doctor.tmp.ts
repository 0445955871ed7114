import { startStack } from './test/helpers/stack.js';
import { runDoctor } from './src/doctor/index.js';
const stack = await startStack({ env: { MCP_SCOPES: 'neonpanel.mcp' }, logLevel: 'warn' });
const b = await stack.startInstance({ MCP_LEGACY_SSE: 'false' });
const token = await stack.tokenFor('alice', { aud: `${b.url}/mcp` });
const r = await runDoctor({ url: `${b.url}/mcp`, token, clients: ['chatgpt'] });
console.log(r.results.filter(x => x.status !== 'pass').map(x => `${x.status} ${x.id}: ${x.detail} | ${x.fix}`).join('\n'));
await stack.close();
