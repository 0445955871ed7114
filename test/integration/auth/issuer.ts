/**
 * The issuer the auth integration tests run against: the sandbox, behind the few controls those
 * tests need (its JWKS and its metadata going down).
 */
import { type IssueTokenOptions, startSandbox } from '../../../sandbox/index.js';

export interface TestIssuer {
  issuer: string;
  issueToken(options: IssueTokenOptions): Promise<string>;
  keys: { readonly kids: readonly string[]; rotate(options?: { dropOld?: boolean }): Promise<string> };
  /** The JWKS endpoint answers 503 while down. */
  setJwksDown(down: boolean): void;
  /** The RFC 8414 metadata endpoint answers 503 while down. */
  setMetadataDown(down: boolean): void;
  close(): Promise<void>;
}

const METADATA_PATH = '/.well-known/oauth-authorization-server';

export async function startTestIssuer(): Promise<TestIssuer> {
  const sandbox = await startSandbox();
  return {
    issuer: sandbox.issuer,
    issueToken: (options) => sandbox.issueToken(options),
    keys: sandbox.keys,
    setJwksDown: (down) => sandbox.misbehave.set({ jwksDown: down }),
    setMetadataDown: (down) => {
      const others = sandbox.faults.rules.filter((rule) => rule.route !== METADATA_PATH);
      sandbox.faults.set(down ? [...others, { route: METADATA_PATH, kind: 'error', status: 503 }] : others);
    },
    close: () => sandbox.close(),
  };
}
