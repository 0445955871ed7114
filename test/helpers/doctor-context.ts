/** Helpers for the doctor's unit tests: a check context and a tiny local HTTP server. Test code, kept out of src/. */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTarget } from '../../src/doctor/run.js';
import { selectProfiles } from '../../src/doctor/profiles.js';
import type { DoctorContext } from '../../src/doctor/types.js';

/** A context for `url` judged for `clients`, with short timeouts and the given facts. */
export function testContext(url: string, clients: string[], facts: DoctorContext['facts'] = {}): DoctorContext {
  return {
    target: parseTarget(url),
    clients: selectProfiles(clients),
    token: undefined,
    register: true,
    clientMetadataUrl: undefined,
    apiUrl: undefined,
    timeoutMs: 2000,
    fetch,
    facts,
  };
}

/** A loopback HTTP server answering with `handle`; `close()` when done. */
export async function serve(
  handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  let origin = '';
  const server = createServer((req, res) => handle(req, res, origin));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
