/**
 * The redirect listener of `doctor --login`: an HTTP server on 127.0.0.1 (RFC 8252 §7.3, a loopback
 * redirect on any port) that waits for one authorization response and shows the person a short page.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The path of the redirect URI (the one mcp-remote uses, so consent pages look alike). */
export const CALLBACK_PATH = '/oauth/callback';

/** What came back on the redirect: `code` or `error`, with `state` and `iss` (RFC 9207). */
export interface AuthorizationResponse {
  code?: string;
  error?: string;
  errorDescription?: string;
  state?: string;
  iss?: string;
}

export interface LoopbackListener {
  /** `http://127.0.0.1:<port>/oauth/callback`. */
  redirectUri: string;
  /** Settles with the first request to the callback path, or rejects after `timeoutMs`. */
  response(timeoutMs: number): Promise<AuthorizationResponse>;
  close(): Promise<void>;
}

const PAGE = (message: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>neonpanel-mcp doctor</title></head><body><p>${message}</p></body></html>`;

/** Listens on 127.0.0.1 with a port the system picks. Close it when done. */
export async function startLoopbackListener(): Promise<LoopbackListener> {
  let settle: ((value: AuthorizationResponse) => void) | undefined;
  const arrived = new Promise<AuthorizationResponse>((resolve) => {
    settle = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const get = (name: string) => url.searchParams.get(name) ?? undefined;
    const answer: AuthorizationResponse = {
      code: get('code'),
      error: get('error'),
      errorDescription: get('error_description'),
      state: get('state'),
      iss: get('iss'),
    };
    const message = answer.code
      ? 'Signed in. The doctor continues in your terminal; you can close this tab.'
      : 'The sign-in did not complete. The doctor says why in your terminal; you can close this tab.';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(message));
    settle?.(answer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    response: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer on the redirect within ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
      });
      return Promise.race([arrived, timeout]).finally(() => clearTimeout(timer));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
