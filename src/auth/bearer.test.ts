import { describe, expect, it } from 'vitest';
import { extractBearerToken } from './bearer.js';
import { AuthError } from './errors.js';

const headers = (...pairs: string[]) => ({ rawHeaders: pairs });

function refusal(run: () => unknown): AuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

describe('extractBearerToken', () => {
  it('takes the token from Authorization: Bearer, any case of the scheme', () => {
    expect(extractBearerToken(headers('Authorization', 'Bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(extractBearerToken(headers('authorization', 'bearer   abc'))).toBe('abc');
  });

  it('says what is wrong with each bad way of sending a token, never quoting it', () => {
    const secret = 'sEcReT-token-value';
    const cases: [ReturnType<typeof headers> & { query?: unknown; body?: unknown }, string][] = [
      [headers(), 'missing_token'],
      [{ ...headers(), query: { access_token: secret } }, 'token_in_query'],
      [{ ...headers(), body: { access_token: secret } }, 'token_in_query'],
      [{ ...headers('Authorization', `Bearer ${secret}`), query: { token: secret } }, 'multiple_tokens'],
      [headers('Authorization', `Bearer ${secret}`, 'Authorization', `Bearer ${secret}`), 'multiple_tokens'],
      [headers('Authorization', `Bearer ${secret}, Bearer ${secret}`), 'multiple_tokens'],
      [headers('Authorization', `Basic ${secret}`), 'unsupported_scheme'],
      [headers('Authorization', secret), 'unsupported_scheme'],
      [headers('Authorization', 'Bearer'), 'malformed'],
      [headers('Authorization', `Bearer ${secret} extra`), 'malformed'],
    ];
    for (const [sources, code] of cases) {
      const error = refusal(() => extractBearerToken(sources));
      expect(error.code, JSON.stringify(sources)).toBe(code);
      expect(error.description).not.toContain(secret);
    }
  });
});
