/** The `neonpanel-mcp` command line: subcommand dispatch and exit codes. */
import { DOCTOR_USAGE, UsageError, doctorCommand } from './doctor-command.js';
import type { CliIo } from './io.js';
import { serveCommand } from './serve-command.js';

export const USAGE = `Usage: neonpanel-mcp <command>

Commands:
  doctor <url> [--token T] [--client ID] [--register] [--login] [--json]   check a deployment and print fixes
  serve                                                                    run the bridge (configured by environment variables)

Run "neonpanel-mcp doctor --help" for the doctor's options.`;

/**
 * Runs one command line. Resolves with the exit code, or undefined when the command keeps running
 * (serve). Usage errors print the problem and the usage and give 2.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'doctor':
        return await doctorCommand(rest, io);
      case 'serve':
        return await serveCommand(io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`neonpanel-mcp: ${(error as Error).message}\n`);
      io.err(command === 'doctor' ? DOCTOR_USAGE : USAGE);
      return 2;
    }
    io.err(`neonpanel-mcp: ${(error as Error).message}`);
    return 1;
  }
}
