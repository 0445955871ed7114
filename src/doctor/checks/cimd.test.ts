import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/helpers/doctor-context.js';
import type { CheckResult } from '../types.js';
import { checkClientRegistration, issuerRegistration, routeFor } from './cimd.js';
import { selectProfiles } from '../profiles.js';

const ISSUER = 'https://my.example.com';
const base = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  code_challenge_methods_supported: ['S256'],
};
/** NeonPanel's 1.2 document: registration, no CIMD. */
const registrationOnly = {
  ...base,
  registration_endpoint: `${ISSUER}/register`,
  token_endpoint_auth_methods_supported: ['none'],
};
const cimdOnly = {
  ...base,
  client_id_metadata_document_supported: true,
  token_endpoint_auth_methods_supported: ['none'],
};

async function run(metadata: Record<string, unknown>, clients = ['all']): Promise<Record<string, CheckResult>> {
  const ctx = testContext('https://mcp.example.com/mcp', clients, { asMetadata: metadata });
  return Object.fromEntries((await checkClientRegistration(ctx)).map((r) => [r.id, r]));
}

describe('routeFor', () => {
  const [chatgpt, claude, claudeCode, cursor] = selectProfiles(['chatgpt', 'claude', 'claude-code', 'cursor']);

  it('Claude uses CIMD only when none is advertised with it; ChatGPT also with private_key_jwt', () => {
    const jwtOnly = issuerRegistration({
      ...cimdOnly,
      registration_endpoint: 'x',
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
    expect(routeFor(chatgpt!, jwtOnly)).toEqual({ via: 'cimd', method: 'private_key_jwt' });
    expect(routeFor(claude!, jwtOnly)).toMatchObject({
      via: 'registration',
      cimdMissing: expect.stringContaining('none'),
    });
    expect(routeFor(claude!, issuerRegistration(cimdOnly))).toEqual({ via: 'cimd', method: 'none' });
  });

  it('a client without CIMD falls back to registration, and has no route at a CIMD-only issuer', () => {
    expect(routeFor(cursor!, issuerRegistration(registrationOnly)).via).toBe('registration');
    expect(routeFor(cursor!, issuerRegistration(cimdOnly)).via).toBe('none');
    expect(routeFor(claudeCode!, issuerRegistration(cimdOnly)).via).toBe('cimd');
  });

  it('reads the RFC 8414 default auth method when the issuer lists none', () => {
    expect(issuerRegistration(base).authMethods).toEqual(['client_secret_basic']);
  });
});

describe('checkClientRegistration', () => {
  it('an issuer with registration and no CIMD (NeonPanel 1.2): passes, warns about CIMD and says what it would change', async () => {
    const results = await run(registrationOnly);
    expect(results['as.registration']).toMatchObject({ status: 'pass', detail: `registration at ${ISSUER}/register.` });
    expect(results['as.cimd']).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('client_id_metadata_document_supported: true'),
    });
    expect(results['registration.claude']).toMatchObject({ status: 'pass' });
    expect(results['registration.claude']!.detail).toContain(
      'would send its metadata URL (https://claude.ai/oauth/mcp-oauth-client-metadata) as client_id instead of registering',
    );
    expect(results['registration.cursor']!.detail).toContain('CIMD would change nothing for Cursor');
  });

  it('a CIMD-only issuer is no longer failed; only the clients without CIMD are, with the reason', async () => {
    const results = await run(cimdOnly);
    expect(results['as.registration']).toMatchObject({ status: 'pass', detail: 'CIMD.' });
    expect(results['as.cimd']!.status).toBe('pass');
    for (const id of ['chatgpt', 'claude', 'claude-code', 'vscode']) {
      expect(results[`registration.${id}`], id).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(/^client ID metadata document \(none/),
      });
    }
    for (const id of ['cursor', 'gemini']) {
      expect(results[`registration.${id}`], id).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('Enable RFC 7591 registration'),
      });
    }
  });

  it('an issuer with neither fails the registration check', async () => {
    const results = await run(base, ['chatgpt']);
    expect(results['as.registration']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('client_id_metadata_document_supported: true'),
    });
    expect(results['registration.chatgpt']!.status).toBe('fail');
  });

  it('CIMD without none: a warning naming the clients that need it', async () => {
    const results = await run({ ...cimdOnly, token_endpoint_auth_methods_supported: ['private_key_jwt'] }, [
      'chatgpt',
      'claude',
    ]);
    expect(results['as.cimd']).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('Claude uses CIMD only when none is advertised'),
    });
    expect(results['registration.chatgpt']!.status).toBe('pass');
    expect(results['registration.claude']!.status).toBe('fail');
  });
});
