import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import type { SchemaDialect } from './document.js';

/** A JSON Schema (draft 2020-12 subset) as plain data. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  description?: string;
  [keyword: string]: unknown;
}

/**
 * Which side of a tool a schema is for. Input schemas are read by models and by strict clients
 * (Gemini, Anthropic), so they carry no union types: a nullable parameter is simply optional.
 * Output schemas describe what NeonPanel returns, so `nullable` becomes `["T", "null"]` there.
 */
export type SchemaMode = 'input' | 'output';

/**
 * Keywords that mean nothing to a tool's caller. `example`/`examples` of the document are
 * placeholders ("SKU12345"); curated examples come from the tool overlay.
 */
const DROPPED_KEYWORDS = [
  'discriminator',
  'readOnly',
  'writeOnly',
  'xml',
  'externalDocs',
  'deprecated',
  '$schema',
  '$comment',
  'example',
  'examples',
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Folds `allOf` members into one object schema (the document builds paginated responses as
 * `allOf: [Pagination, {data}]`). Properties and `required` are unioned; the last member's own
 * keywords win. Clients reject combinators at the top of a tool schema, so none may survive here.
 */
function mergeAllOf(schema: Record<string, unknown>): Record<string, unknown> {
  const members = schema['allOf'];
  if (!Array.isArray(members)) return schema;
  const { allOf: _allOf, ...own } = schema;
  const merged: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  for (const member of [...members.filter(isObject).map(mergeAllOf), own]) {
    const { properties: memberProps, required: memberRequired, ...rest } = member;
    Object.assign(merged, rest);
    if (isObject(memberProps)) Object.assign(properties, memberProps);
    if (Array.isArray(memberRequired)) for (const name of memberRequired) required.add(String(name));
  }
  if (Object.keys(properties).length > 0) {
    merged['properties'] = properties;
    merged['type'] ??= 'object';
  }
  if (required.size > 0) merged['required'] = [...required];
  return merged;
}

/** Applies `mergeAllOf` everywhere in a schema tree, before the generic conversion runs. */
function mergeAllOfDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mergeAllOfDeep);
  if (!isObject(value)) return value;
  const merged = mergeAllOf(value);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(merged)) out[key] = mergeAllOfDeep(child);
  return out;
}

const NUMERIC_FORMATS = ['int32', 'int64', 'float', 'double'];

function isNullSchema(value: unknown): boolean {
  return isObject(value) && value['type'] === 'null' && Object.keys(value).length === 1;
}

/**
 * `oneOf`/`anyOf: [X, {type: "null"}]`, 3.1's way of saying "X or null", becomes X with "null" in
 * its `type`, as 3.0's `nullable` does: one plain schema that clients read.
 */
function foldNullableUnion(schema: Record<string, unknown>): Record<string, unknown> {
  for (const keyword of ['oneOf', 'anyOf']) {
    const members = schema[keyword];
    if (!Array.isArray(members) || members.length !== 2 || !members.some(isNullSchema)) continue;
    const other = members.find((member) => !isNullSchema(member));
    if (!isObject(other)) continue;
    const { [keyword]: _union, ...own } = schema;
    const merged = { ...other, ...own };
    const types = Array.isArray(other['type']) ? other['type'] : other['type'] ? [other['type']] : [];
    if (types.length > 0 && !types.includes('null')) merged['type'] = [...types, 'null'];
    return merged;
  }
  return schema;
}

/** Drops OpenAPI-only keywords and placeholder examples; nullability per mode. */
function finish(value: unknown, mode: SchemaMode): unknown {
  if (Array.isArray(value)) return value.map((item) => finish(item, mode));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(foldNullableUnion(value))) {
    if (DROPPED_KEYWORDS.includes(key)) continue;
    if (key === 'properties' && isObject(child)) {
      out[key] = Object.fromEntries(Object.entries(child).map(([name, prop]) => [name, finish(prop, mode)]));
      continue;
    }
    out[key] = finish(child, mode);
  }
  if (mode === 'input') {
    // OpenAPI's numeric formats are no JSON Schema formats: `type` already says number or integer.
    if (typeof out['format'] === 'string' && NUMERIC_FORMATS.includes(out['format'])) delete out['format'];
    if (Array.isArray(out['type'])) {
      const types = (out['type'] as string[]).filter((t) => t !== 'null');
      out['type'] = types.length === 1 ? types[0] : types;
    }
    if (Array.isArray(out['enum'])) out['enum'] = (out['enum'] as unknown[]).filter((v) => v !== null);
  }
  return out;
}

/**
 * Converts a dereferenced OpenAPI schema object to JSON Schema: `allOf` merged, nullability
 * (3.0 `nullable`, 3.1 `type` arrays and `X | null` unions) handled per mode, OpenAPI-only keywords
 * and placeholder examples removed. 3.1 schemas are JSON Schema 2020-12 already and need no
 * conversion beyond that. The input is not modified.
 */
export function toJsonSchema(openapiSchema: unknown, mode: SchemaMode, dialect: SchemaDialect = '3.0'): JsonSchema {
  if (!isObject(openapiSchema)) return {};
  const merged = mergeAllOfDeep(openapiSchema) as Record<string, unknown>;
  const converted = dialect === '3.0' ? fromSchema(merged, { cloneSchema: true, strictMode: false }) : merged;
  return finish(converted, mode) as JsonSchema;
}
