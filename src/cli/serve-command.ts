/** `neonpanel-mcp serve`: the bridge, configured from the environment, until SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from '../config/index.js';
import type { CliIo } from './io.js';

/** Starts the bridge; resolves with an exit code only when it cannot start (otherwise signals end it). */
export async function serveCommand(io: CliIo): Promise<number | undefined> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // Loaded on demand so `doctor` never pulls in the server's modules.
  const { startBridge } = await import('../main.js');
  const bridge = await startBridge(config);
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    bridge.logger.info({ signal }, 'shutting down');
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return undefined;
}
