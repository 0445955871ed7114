/** Entry point of the `neonpanel-mcp` command (bin/neonpanel-mcp.js imports the compiled copy). */
import { processIo } from './io.js';
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), processIo);
if (code !== undefined) process.exitCode = code;
