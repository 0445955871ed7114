/** Opens a URL in the person's browser with the platform's opener; false when none could be started. */
import { spawn } from 'node:child_process';

/** The opener command for this platform: `open` (macOS), `start` via cmd (Windows), else `xdg-open`. */
function opener(platform: NodeJS.Platform): [string, string[]] {
  if (platform === 'darwin') return ['open', []];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  return ['xdg-open', []];
}

/** Starts the opener detached; resolves once it started (true) or failed to start (false). */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const [command, args] = opener(platform);
  return new Promise((resolve) => {
    const child = spawn(command, [...args, url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
