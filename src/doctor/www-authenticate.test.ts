import { describe, expect, it } from 'vitest';
import { parseChallenge } from './www-authenticate.js';

describe('parseChallenge', () => {
  it('reads quoted and bare parameters', () => {
    const c = parseChallenge(
      'Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/mcp", scope="a b", error=invalid_token, error_description="expired at \\"now\\""',
    );
    expect(c).toEqual({
      scheme: 'Bearer',
      params: {
        resource_metadata: 'https://x/.well-known/oauth-protected-resource/mcp',
        scope: 'a b',
        error: 'invalid_token',
        error_description: 'expired at "now"',
      },
    });
  });

  it('is undefined without a header', () => {
    expect(parseChallenge(null)).toBeUndefined();
    expect(parseChallenge('  ')).toBeUndefined();
  });
});
