/** `neonpanel-mcp doctor <url> [--token T] [--client …] [--register] [--login] [--json]`. */
import { parseArgs } from 'node:util';
import {
  CLIENT_IDS,
  DEFAULT_TIMEOUT_MS,
  type DoctorReport,
  isLoopbackHost,
  type RunHooks,
  runDoctor,
  runLogin,
} from '../doctor/index.js';
import { openInBrowser } from './browser.js';
import type { CliIo } from './io.js';
import { renderHeader, renderResult, renderSummary } from './render.js';

export const DOCTOR_USAGE = `Usage: neonpanel-mcp doctor <url> [options]

Checks an MCP deployment the way each client does and prints the fix for anything wrong.
<url> is the server's address, e.g. https://mcp.neonpanel.com/mcp.

Options:
  --token <jwt>       an access token: also checks the token, tools/list, a tool call and the NeonPanel API
                      (or set MCP_DOCTOR_TOKEN to keep it out of your shell history); it is never printed
  --client <id>       judge for one client: ${[...CLIENT_IDS, 'all'].join(', ')} (default all; repeatable or comma-separated)
  --register          also register a client at the issuer and try an authorize request, per client
                      (and, when the issuer offers CIMD, an authorize request with each client's metadata URL)
  --login             sign in as a client would (opens your browser, or prints the URL), then list tools,
                      call one read-only tool on each transport and refresh the token; the token is never printed
  --client-metadata-url <url>
                      the https URL of a client ID metadata document you host: --login uses it instead of
                      registering (list http://127.0.0.1/oauth/callback in its redirect_uris); --register tries it
                      for clients whose own metadata URL is not public
  --no-browser        with --login: only print the URL to open
  --json              print one JSON document instead of lines
  --api <url>         the NeonPanel API base URL (default: the issuer)
  --timeout <ms>      per-request timeout (default ${DEFAULT_TIMEOUT_MS})
  --curl              print the curl command of every check, not only of failures
  -h, --help          this text

Exit code: 0 when nothing failed, 1 when a check failed, 2 for a usage error.`;

/**
 * A client ID metadata document's URL as authorization servers take one: https, or plain http on this
 * machine for a local test (a document anywhere else over http could be altered on its way).
 */
function isClientMetadataUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol, hostname } = new URL(text);
  return protocol === 'https:' || (protocol === 'http:' && isLoopbackHost(hostname));
}

/** Runs the doctor command; returns the exit code. */
export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      token: { type: 'string' },
      client: { type: 'string', multiple: true },
      register: { type: 'boolean', default: false },
      login: { type: 'boolean', default: false },
      'client-metadata-url': { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      api: { type: 'string' },
      timeout: { type: 'string' },
      curl: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('doctor needs exactly one <url>, e.g. https://mcp.neonpanel.com/mcp');
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new UsageError(
      `--timeout must be a whole number of milliseconds between 100 and 120000, got "${values.timeout}"`,
    );
  }
  const clients = (values.client ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = clients.find((c) => c !== 'all' && !CLIENT_IDS.includes(c));
  if (unknown)
    throw new UsageError(`--client "${unknown}" is unknown; use one of ${[...CLIENT_IDS, 'all'].join(', ')}`);
  const token = values.token ?? io.env['MCP_DOCTOR_TOKEN'];
  const url = positionals[0]!;
  const clientMetadataUrl = values['client-metadata-url'];
  if (clientMetadataUrl !== undefined && !isClientMetadataUrl(clientMetadataUrl)) {
    throw new UsageError(
      `--client-metadata-url must be an https URL (http only for a local test), got "${clientMetadataUrl}"`,
    );
  }
  if (values.login && (token || values.register)) {
    throw new UsageError('--login gets its own token: use it without --token, MCP_DOCTOR_TOKEN and --register');
  }

  let started = false;
  const hooks: RunHooks = {
    onResult: (result) => {
      if (values.json) return;
      if (!started) {
        started = true;
        io.out(
          renderHeader(url, clients.length ? clients : ['all'], values.login ? 'login' : token ? 'token' : 'none'),
        );
      }
      io.out(renderResult(result, { curl: values.curl }));
    },
  };
  const common = { url, clients, apiUrl: values.api, timeoutMs, clientMetadataUrl };
  let report: DoctorReport;
  if (values.login) {
    report = await runLogin(
      {
        ...common,
        openBrowser: values['no-browser'] ? undefined : (target) => openInBrowser(target),
        // The URL goes to stderr so that --json output stays one JSON document.
        onAuthorizationUrl: (target) => io.err(`Sign in to continue: ${target}`),
      },
      hooks,
    );
  } else {
    report = await runDoctor({ ...common, token, register: values.register }, hooks);
  }
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else io.out(renderSummary(report));
  return report.ok ? 0 : 1;
}

/** A mistake in the command line: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
