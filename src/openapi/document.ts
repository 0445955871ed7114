import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import YAML from 'yaml';
import { BUNDLED_API_DOCUMENT, packageRoot } from './package-root.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** An API document that is not usable: every problem found is listed. */
export class OpenApiDocumentError extends Error {
  override readonly name = 'OpenApiDocumentError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a usable OpenAPI 3.0 or 3.1 document: ${problems.join('; ')}`);
  }
}

/**
 * Which schema language the document's schemas speak: OpenAPI 3.0's JSON Schema dialect
 * (`nullable`, `example`) or 3.1's JSON Schema 2020-12 (`type` arrays with "null", `const`).
 */
export type SchemaDialect = '3.0' | '3.1';

/** A parsed, validated document with every local `$ref` inlined. */
export interface ApiDocument {
  source: string;
  /** The document's `info.version`. */
  version: string;
  title: string;
  dialect: SchemaDialect;
  raw: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The security schemes of type `oauth2`: the ones the user's bearer token satisfies. */
function oauth2Schemes(doc: Record<string, unknown>): Set<string> {
  const components = isObject(doc['components']) ? doc['components'] : {};
  const schemes = isObject(components['securitySchemes']) ? components['securitySchemes'] : {};
  return new Set(
    Object.entries(schemes)
      .filter(([, scheme]) => isObject(scheme) && scheme['type'] === 'oauth2')
      .map(([name]) => name),
  );
}

/**
 * Whether an operation is called with the user's OAuth bearer token, and so can be a tool: the bridge
 * forwards only that token. The document's own OAuth endpoints (public, or authenticated as the
 * client or by a registration token) are not. An operation without any security statement counts as
 * using the token, as NeonPanel's documents put it at the top level or on every operation.
 */
export function usesCallerToken(doc: Record<string, unknown>, operation: Record<string, unknown>): boolean {
  const security = operation['security'] ?? doc['security'];
  if (!Array.isArray(security)) return true;
  const schemes = oauth2Schemes(doc);
  return security.some((requirement) => isObject(requirement) && Object.keys(requirement).some((n) => schemes.has(n)));
}

/** Structural checks the tools depend on; returns every problem, not just the first. */
export function validateDocumentShape(doc: unknown): string[] {
  if (!isObject(doc)) return ['the document is not a YAML/JSON object'];
  const problems: string[] = [];
  if (typeof doc['openapi'] !== 'string' || !/^3\.[01]\.\d+$/.test(doc['openapi'])) {
    problems.push(`"openapi" must be 3.0.x or 3.1.x, got ${JSON.stringify(doc['openapi'])}`);
  }
  if (!isObject(doc['info']) || typeof doc['info']['version'] !== 'string') {
    problems.push('"info.version" is missing');
  }
  if (!isObject(doc['paths'])) return [...problems, '"paths" is missing'];
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(doc['paths'])) {
    if (!path.startsWith('/')) problems.push(`path "${path}" must start with "/"`);
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op) || !usesCallerToken(doc, op)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const id = op['operationId'];
      // Dots separate resource and verb (`bills.read`), as NeonPanel 1.2 names its document operations.
      if (typeof id !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/.test(id)) {
        problems.push(
          `${where} needs an operationId of letters, digits, underscores and dots, got ${JSON.stringify(id)}`,
        );
        continue;
      }
      const previous = seen.get(id);
      if (previous) problems.push(`operationId "${id}" is used by both ${previous} and ${where}`);
      seen.set(id, where);
      const params = [...asArray(item['parameters']), ...asArray(op['parameters'])];
      for (const param of params) {
        if (!isObject(param) || '$ref' in param) continue;
        if (typeof param['name'] !== 'string' || !['path', 'query', 'header', 'cookie'].includes(String(param['in']))) {
          problems.push(`${where} has a parameter without a valid "name" and "in"`);
        } else if (!isObject(param['schema']) && !isObject(param['content'])) {
          problems.push(`${where} parameter "${param['name']}" has no schema`);
        }
      }
      for (const name of path.match(/\{[^}]+\}/g) ?? []) {
        const bare = name.slice(1, -1);
        const declared = params.some((p) => isObject(p) && ('$ref' in p || (p['name'] === bare && p['in'] === 'path')));
        if (!declared) problems.push(`${where} does not declare its path parameter "${bare}"`);
      }
    }
  }
  if (seen.size === 0) problems.push('the document has no operations');
  return problems;
}

/** JSON pointers of every `$ref` left after dereferencing (external ones: never followed). */
function findRefs(value: unknown, pointer: string, seen = new Set<unknown>()): string[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  if (!Array.isArray(value) && typeof (value as Record<string, unknown>)['$ref'] === 'string') return [pointer];
  return Object.entries(value).flatMap(([key, child]) => findRefs(child, `${pointer}/${key}`, seen));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Keywords beside a `$ref` that survive its inlining (3.1 allows any; 3.0 documents rely on these). */
const REF_SIBLINGS = ['description', 'nullable', 'title', 'deprecated', 'readOnly', 'writeOnly', 'default'];

/** JSON when it looks like JSON (a large document parses much faster so), YAML otherwise. */
function parseText(text: string): unknown {
  return text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text);
}

/**
 * Parses, validates and dereferences an API document given as JSON or YAML text, OpenAPI 3.0 or
 * 3.1. Only local `$ref`s are followed: a document must never make the bridge read files or URLs it
 * names. A `$ref`'s siblings (`description`, `nullable`, …) are kept on the inlined schema.
 */
export async function parseApiDocument(text: string, source: string): Promise<ApiDocument> {
  let parsed: unknown;
  try {
    parsed = parseText(text);
  } catch (err) {
    throw new OpenApiDocumentError(source, [`YAML/JSON does not parse: ${(err as Error).message}`]);
  }
  const problems = validateDocumentShape(parsed);
  if (problems.length > 0) throw new OpenApiDocumentError(source, problems);
  let raw: Record<string, unknown>;
  try {
    raw = (await dereference(parsed as object, {
      resolve: { external: false },
      dereference: { circular: false, preservedProperties: REF_SIBLINGS },
    })) as Record<string, unknown>;
  } catch (err) {
    throw new OpenApiDocumentError(source, [`$ref resolution failed: ${(err as Error).message}`]);
  }
  const external = findRefs(raw, '#');
  if (external.length > 0) {
    throw new OpenApiDocumentError(
      source,
      external
        .slice(0, 5)
        .map((where) => `${where} is an external $ref; only references inside the document are allowed`),
    );
  }
  const info = raw['info'] as Record<string, unknown>;
  const dialect: SchemaDialect = String(raw['openapi']).startsWith('3.1.') ? '3.1' : '3.0';
  return { source, raw, dialect, version: String(info['version']), title: String(info['title'] ?? '') };
}

/** Loads a document from a file path (default: the bundled NeonPanel API document). */
export async function loadApiDocument(path: string = join(packageRoot(), BUNDLED_API_DOCUMENT)): Promise<ApiDocument> {
  return parseApiDocument(readFileSync(path, 'utf8'), path);
}
