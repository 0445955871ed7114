/**
 * The access token decoded and judged the way the bridge and the clients judge it (the seed's
 * "Issue 1: token claims"). The token itself is never put into a result.
 */
import { type JWK, compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { fail, pass, skip, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { describeIssuerMismatch } from './issuer.js';

function when(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** "12 min", "3 h 5 min", "40 s". */
export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Every token check, one result each; all skipped when no token was given. */
export async function checkToken(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.token) return [skip('token', 'Access token', 'No --token given; token, tools and API checks skipped.')];
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(ctx.token);
    claims = decodeJwt(ctx.token);
  } catch {
    return [
      fail('token.format', 'Token is a JWT', {
        detail: 'the token is not a JWS compact JWT (three base64url parts with JSON header and claims).',
        fix: 'Pass the access_token from the token response (not the refresh token, code or id_token).',
      }),
    ];
  }
  const results: CheckResult[] = [pass('token.format', 'Token is a JWT', { detail: `typ ${header.typ ?? '(none)'}.` })];
  results.push(
    header.alg === 'RS256'
      ? pass('token.alg', 'Signing algorithm', { detail: 'RS256.' })
      : fail('token.alg', 'Signing algorithm', {
          detail: `alg is ${header.alg}.`,
          fix: `Have the issuer sign access tokens with RS256; the bridge refuses ${header.alg} (MCP_JWT_ALGORITHMS lists what it accepts).`,
        }),
  );
  results.push(await checkKey(ctx, header.kid, header.alg ?? 'none'));
  results.push(checkIssuer(ctx, claims.iss));
  results.push(
    typeof claims.sub === 'string' && claims.sub !== ''
      ? pass('token.sub', 'Subject (sub)', { detail: 'present.' })
      : fail('token.sub', 'Subject (sub)', {
          detail: 'the token has no sub claim.',
          fix: 'Have the issuer put the user id in sub; the bridge needs it to keep users apart.',
        }),
  );
  results.push(checkTimes(claims.iat, claims.exp));
  results.push(checkAudience(ctx, claims.aud));
  results.push(checkScope(ctx, claims['scope']));
  return results;
}

async function checkKey(ctx: DoctorContext, kid: string | undefined, alg: string): Promise<CheckResult> {
  const title = 'Key id (kid) in the JWKS and signature';
  const keys = ctx.facts.jwks?.keys;
  if (!keys) return skip('token.kid', title, 'The JWKS was not available.');
  const candidates = kid ? keys.filter((k) => k['kid'] === kid) : keys;
  if (candidates.length === 0) {
    return fail('token.kid', title, {
      detail: `kid ${kid} is not among the ${keys.length} key(s) of the issuer's JWKS.`,
      fix: 'This token was signed by another server or with a retired key; get a new token from the issuer the server trusts.',
    });
  }
  for (const jwk of candidates) {
    try {
      await compactVerify(ctx.token!, await importJWK(jwk as JWK, alg));
      return kid
        ? pass('token.kid', title, { detail: `kid ${kid} found; the signature verifies.` })
        : warn('token.kid', title, {
            detail: 'the signature verifies but the token has no kid.',
            fix: 'Have the issuer put kid in the token header so key rotation works.',
          });
    } catch {
      // try the next candidate key
    }
  }
  return fail('token.kid', title, {
    detail: `the signature does not verify against the issuer's key${kid ? ` ${kid}` : 's'}.`,
    fix: 'The token was altered or signed by another server; get a fresh token from the issuer.',
  });
}

function checkIssuer(ctx: DoctorContext, iss: string | undefined): CheckResult {
  const title = 'Issuer (iss)';
  const expected = ctx.facts.issuer;
  if (!expected) return skip('token.iss', title, `iss is ${iss}; no issuer known from the metadata to compare.`);
  if (iss === expected) return pass('token.iss', title, { detail: `${iss}.` });
  if (iss && iss.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) {
    return fail('token.iss', title, {
      detail: `the issuer in the token is ${iss} ${iss.endsWith('/') ? 'with' : 'without'} a trailing slash; NEONPANEL_ISSUER is ${expected} (${describeIssuerMismatch(iss, expected)}).`,
      fix: `Set NEONPANEL_ISSUER=${iss} exactly as the issuer writes it; issuers are compared as exact strings.`,
    });
  }
  return fail('token.iss', title, {
    detail: `the token was issued by ${iss ?? '(no iss)'}; the server trusts only ${expected}.`,
    fix: `Get the token from ${expected} (sign in through the client again); if ${iss} is the real NeonPanel issuer, set NEONPANEL_ISSUER=${iss}.`,
  });
}

function checkTimes(iat: number | undefined, exp: number | undefined): CheckResult {
  const title = 'Issued at (iat) and expiry (exp)';
  const now = Date.now() / 1000;
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    return fail('token.exp', title, {
      detail: `${typeof iat === 'number' ? '' : 'iat '}${typeof exp === 'number' ? '' : 'exp '}missing.`,
      fix: 'Have the issuer put iat and exp in every access token; the bridge requires both.',
    });
  }
  if (exp <= now) {
    return fail('token.exp', title, {
      detail: `expired ${duration(now - exp)} ago (exp ${when(exp)}).`,
      fix: 'Get a new token; clients do this themselves with the refresh token, so if they do not, check that the issuer returns refresh tokens.',
    });
  }
  if (iat > now + 60) {
    return warn('token.exp', title, {
      detail: `issued ${duration(iat - now)} in the future (iat ${when(iat)}).`,
      fix: "Fix the issuer's clock (or this machine's); the bridge allows only a small clock skew.",
    });
  }
  return pass('token.exp', title, { detail: `issued ${when(iat)}, ${duration(exp - now)} left (exp ${when(exp)}).` });
}

function checkAudience(ctx: DoctorContext, aud: string | string[] | undefined): CheckResult {
  const title = 'Audience (aud) names this server';
  const list = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
  const wanted = [ctx.target.mcpUrl, ctx.target.sseUrl, ctx.target.origin];
  if (list.some((a) => wanted.includes(a))) return pass('token.aud', title, { detail: `${list.join(', ')}.` });
  return fail('token.aud', title, {
    detail: `aud is ${list.length ? list.join(', ') : 'missing'}; clients send resource=${ctx.target.mcpUrl}.`,
    fix: `Have the issuer copy the RFC 8707 resource parameter into aud (ChatGPT and Claude send resource=${ctx.target.mcpUrl}), then set MCP_AUDIENCE=${ctx.target.mcpUrl} so tokens for other services are refused.`,
  });
}

function checkScope(ctx: DoctorContext, scope: unknown): CheckResult {
  const title = 'Scope';
  const granted = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
  const prmScopes = ctx.facts.prm?.['scopes_supported'];
  const required = Array.isArray(prmScopes) ? (prmScopes as string[]) : [];
  const missing = required.filter((s) => !granted.includes(s));
  if (missing.length === 0) {
    return pass('token.scope', title, {
      detail: granted.length ? `${granted.join(' ')}.` : 'none (the server requires none).',
    });
  }
  return fail('token.scope', title, {
    detail: `the token has "${granted.join(' ')}" but the server requires ${missing.join(', ')}.`,
    fix: `Let clients request and the issuer grant ${missing.join(' ')} (the server answers 403 insufficient_scope otherwise), or change MCP_SCOPES.`,
  });
}
