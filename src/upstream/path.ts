/**
 * Serialises operation arguments into a request path and query exactly as the API document says,
 * and never lets an argument change the shape of the URL.
 */

/**
 * Whether a value cannot stand as one path segment: empty (it would join its neighbours), or `.` / `..`,
 * which URL normalisation (RFC 3986 §5.2.4, WHATWG URL: ours, a proxy's, NeonPanel's router) resolves
 * into a different path even when percent-encoded as `%2E%2E`. No id can take these values.
 */
export function isUnusablePathSegment(value: string): boolean {
  return value === '' || value === '.' || value === '..';
}

/**
 * Percent-encodes one path segment. Throws on a value that cannot be one (see isUnusablePathSegment):
 * callers refuse such values before they get here, and no encoding of them is safe.
 */
export function encodePathSegment(value: string): string {
  if (isUnusablePathSegment(value)) throw new RangeError(`${JSON.stringify(value)} cannot be a URL path segment`);
  return encodeURIComponent(value);
}

/** Fills `{name}` placeholders of a path template; every value is one encoded segment. */
export function expandPath(template: string, values: Readonly<Record<string, string>>): string {
  if (!template.includes('{')) return template;
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`path parameter "${name}" has no value`);
    return encodePathSegment(value);
  });
}

/** How the document says a query parameter is serialised. */
export interface QueryStyle {
  style: string;
  explode: boolean;
}

/**
 * Query pairs for one parameter (OpenAPI 3.0 §4.7.12.4): `form` + explode gives repeated keys
 * (`company_uuids=a&company_uuids=b`); without explode the values are joined by commas,
 * `spaceDelimited`/`pipeDelimited` by space or `|`. Objects are sent as JSON text.
 */
export function serializeQueryParameter(name: string, value: unknown, how: QueryStyle): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const items = value.map(scalarText);
    if (how.explode) return items.map((item) => [name, item]);
    const separator = how.style === 'spaceDelimited' ? ' ' : how.style === 'pipeDelimited' ? '|' : ',';
    return [[name, items.join(separator)]];
  }
  return [[name, scalarText(value)]];
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
