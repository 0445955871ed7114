/** Parses a `WWW-Authenticate: Bearer k="v", …` challenge (RFC 6750 §3, RFC 9728 §5.1). */

export interface BearerChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** The first challenge's scheme and parameters; undefined when the header is absent or empty. */
export function parseChallenge(header: string | null): BearerChallenge | undefined {
  if (!header?.trim()) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of match[2]!.matchAll(pattern)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { scheme: match[1]!, params };
}
