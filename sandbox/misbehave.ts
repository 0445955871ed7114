/**
 * Switches that make the sandbox's authorization server misbehave the ways real issuers have,
 * so the connection doctor's tests can show each fault being caught. All off by default.
 */

/** The misbehaviours; unset or false means the AS behaves by the book. */
export interface AsMisbehaviourSettings {
  /** `/authorize` and `/token` answer `invalid_target` whenever an RFC 8707 `resource` is sent. */
  rejectResource?: boolean;
  /** DCR and `/authorize` refuse ChatGPT's per-connector redirect URIs `https://chatgpt.com/connector/oauth/*`. */
  rejectChatgptRedirect?: boolean;
  /** Scopes the metadata advertises and `/authorize` accepts, e.g. the seed's `["dcr.create"]`. */
  scopesSupported?: string[];
  /** Tokens get no `aud` from `resource`. */
  ignoreResourceInAud?: boolean;
  /** The metadata document claims this `issuer` instead of the real one. */
  metadataIssuer?: string;
  /** `/.well-known/jwks.json` answers 503. */
  jwksDown?: boolean;
  /** No CORS headers on AS routes and preflights go unanswered. */
  corsOff?: boolean;
  /** `resource` values ending in `/` get `invalid_target` instead of being normalised. */
  rejectResourceTrailingSlash?: boolean;
  /** `/.well-known/openid-configuration` serves the OAuth metadata as a partial, invalid OIDC document. */
  fakeOpenidConfiguration?: boolean;
}

/** Live control of the misbehaviours: in-process, and through `/__sandbox/misbehave`. */
export interface AsMisbehaviour {
  /** The switches now in force. */
  readonly current: Readonly<AsMisbehaviourSettings>;
  /** Merges `settings` into the current switches. */
  set(settings: AsMisbehaviourSettings): void;
  /** Turns every switch off. */
  reset(): void;
}

const KNOWN_SWITCHES: Record<keyof AsMisbehaviourSettings, 'boolean' | 'string' | 'string[]'> = {
  rejectResource: 'boolean',
  rejectChatgptRedirect: 'boolean',
  scopesSupported: 'string[]',
  ignoreResourceInAud: 'boolean',
  metadataIssuer: 'string',
  jwksDown: 'boolean',
  corsOff: 'boolean',
  rejectResourceTrailingSlash: 'boolean',
  fakeOpenidConfiguration: 'boolean',
};

/** Checks a JSON body sent to the control endpoint; returns the settings or an error naming the bad field. */
export function parseMisbehaviour(body: unknown): { settings: AsMisbehaviourSettings } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'body must be a JSON object of misbehaviour switches' };
  }
  for (const [name, value] of Object.entries(body)) {
    const kind = KNOWN_SWITCHES[name as keyof AsMisbehaviourSettings];
    if (!kind) return { error: `unknown switch "${name}"; known: ${Object.keys(KNOWN_SWITCHES).join(', ')}` };
    const ok =
      value === null ||
      (kind === 'boolean' && typeof value === 'boolean') ||
      (kind === 'string' && typeof value === 'string') ||
      (kind === 'string[]' && Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) return { error: `switch "${name}" must be a ${kind}` };
  }
  return { settings: body as AsMisbehaviourSettings };
}

/** Creates the control with every switch off. */
export function createMisbehaviour(): AsMisbehaviour {
  let current: AsMisbehaviourSettings = {};
  return {
    get current() {
      return current;
    },
    set(settings) {
      const merged: Record<string, unknown> = { ...current, ...settings };
      for (const [name, value] of Object.entries(merged))
        if (value === null || value === undefined) delete merged[name];
      current = merged as AsMisbehaviourSettings;
    },
    reset() {
      current = {};
    },
  };
}
