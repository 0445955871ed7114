/**
 * Finds secrets in text the bridge produced (log lines, error texts, /metrics, trace exports).
 * A secret counts as leaked when it appears whole, or when a distinctive part of it does: the
 * signature of a JWT is enough to replay nothing, but its presence means the token was printed.
 */

/** Any complete compact JWS: three base64url parts, the first two JSON objects. */
const ANY_JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

/** A private key in PEM form. */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/g;

export interface Leak {
  /** Which secret (its kind and a short, harmless fingerprint: never the secret itself). */
  secret: string;
  /** Where it was found (log, metrics, error text, trace). */
  where: string;
  /** The text around the hit with the secret blanked, so the report can show it safely. */
  context: string;
}

interface WatchedSecret {
  kind: string;
  needles: string[];
}

function fingerprint(value: string): string {
  return `${value.length} chars ending …${value.slice(-4)}`;
}

function blank(text: string, needles: string[]): string {
  let out = text;
  for (const needle of needles) out = out.split(needle).join('[SECRET]');
  return out.replace(ANY_JWT, '[JWT]');
}

/** The secrets one test used, and the scans it made. */
export class SecretWatch {
  private readonly secrets: WatchedSecret[] = [];
  private scannedBytes = 0;
  private scannedChunks = 0;
  readonly leaks: Leak[] = [];

  /** A bearer token (JWT): watched whole and by its signature. */
  addToken(token: string, kind = 'access token'): void {
    const signature = token.split('.')[2];
    const needles = [token];
    if (signature && signature.length >= 16) needles.push(signature);
    this.secrets.push({ kind, needles });
  }

  /** An opaque secret (refresh token, client secret, registration access token). */
  addOpaque(value: string, kind: string): void {
    if (value.length >= 8) this.secrets.push({ kind, needles: [value] });
  }

  /** Private key material: every private member of a JWK (d, p, q, dp, dq, qi). */
  addPrivateJwk(jwk: Record<string, unknown>, kind = 'private key'): void {
    const needles = ['d', 'p', 'q', 'dp', 'dq', 'qi']
      .map((member) => jwk[member])
      .filter((v): v is string => typeof v === 'string' && v.length >= 16);
    if (needles.length > 0) this.secrets.push({ kind, needles });
  }

  /** Scans one piece of text; records and returns the leaks it holds. */
  scan(text: string, where: string): Leak[] {
    this.scannedBytes += text.length;
    this.scannedChunks += 1;
    const found: Leak[] = [];
    const allNeedles = this.secrets.flatMap((s) => s.needles);
    for (const secret of this.secrets) {
      for (const needle of secret.needles) {
        const at = text.indexOf(needle);
        if (at < 0) continue;
        const around = text.slice(Math.max(0, at - 80), at + needle.length + 80);
        found.push({ secret: `${secret.kind} (${fingerprint(needle)})`, where, context: blank(around, allNeedles) });
        break;
      }
    }
    for (const match of text.matchAll(ANY_JWT)) {
      const around = text.slice(Math.max(0, match.index - 80), match.index + match[0].length + 80);
      found.push({ secret: `a JWT (${fingerprint(match[0])})`, where, context: blank(around, allNeedles) });
    }
    for (const match of text.matchAll(PEM_PRIVATE_KEY)) {
      found.push({ secret: 'a PEM private key', where, context: text.slice(match.index, match.index + 60) });
    }
    this.leaks.push(...found);
    return found;
  }

  /** Figures for docs/reliability.md. */
  summary(): { secretsWatched: number; chunksScanned: number; bytesScanned: number; leaks: number } {
    return {
      secretsWatched: this.secrets.length,
      chunksScanned: this.scannedChunks,
      bytesScanned: this.scannedBytes,
      leaks: this.leaks.length,
    };
  }
}
