/**
 * The API's route table, read from the project's copy of neonpanel-api.openapi.json (NeonPanel API 1.2),
 * so the sandbox serves exactly the document's paths, methods, parameter rules and request bodies.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The subset of JSON Schema the document's parameters use. */
export interface ParamSchema {
  type?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  items?: ParamSchema;
}

export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: ParamSchema;
}

export interface OperationSpec {
  operationId: string;
  method: string;
  /** The document's path template, e.g. `/api/v1/companies/{companyUuid}/warehouses`. */
  path: string;
  params: ParamSpec[];
  /** Matches a raw (still encoded) request path; groups are the path parameters in order. */
  pattern: RegExp;
  pathParamNames: string[];
  /** The JSON request body's schema as the document writes it (often a `$ref`), when it has one. */
  jsonBody?: unknown;
  /** The response statuses the document lists (`200`, `400`, …). */
  statuses: string[];
}

/** Finds `openapi/<file>` from this module whether it runs from sources or from dist/. */
function findDocument(file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'openapi', file);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`sandbox: cannot find openapi/${file} above ${fileURLToPath(import.meta.url)}`);
}

type Json = Record<string, unknown>;

/** The file every part of the sandbox reads the API from. */
const API_DOCUMENT = 'neonpanel-api.openapi.json';

function resolveRef(document: Json, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref !== 'string') return value;
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
  return resolveRef(document, target);
}

function resolveSchema(document: Json, schema: unknown): ParamSchema {
  const resolved = resolveRef(document, schema) as ParamSchema;
  return resolved.items ? { ...resolved, items: resolveSchema(document, resolved.items) } : resolved;
}

let cachedDocument: Json | undefined;
let cached: readonly OperationSpec[] | undefined;

/** The parsed API document (once per process: the file does not change while running). */
export function loadApiDocument(): Json {
  cachedDocument ??= JSON.parse(readFileSync(findDocument(API_DOCUMENT), 'utf8')) as Json;
  return cachedDocument;
}

/** Every operation of the API document. */
export function loadApiOperations(): readonly OperationSpec[] {
  cached ??= parseApiOperations(loadApiDocument());
  return cached;
}

function parseApiOperations(document: Json): OperationSpec[] {
  const operations: OperationSpec[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    // The document also describes NeonPanel's OAuth endpoints, without operationIds: those are the AS's.
    if (!path.startsWith('/api/')) continue;
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as {
        operationId: string;
        parameters?: unknown[];
        requestBody?: { content?: Record<string, { schema?: unknown }> };
        responses?: Record<string, unknown>;
      };
      const params = (op.parameters ?? []).map((raw) => {
        const param = resolveRef(document, raw) as {
          name: string;
          in: 'path' | 'query';
          required?: boolean;
          schema: unknown;
        };
        return {
          name: param.name,
          in: param.in,
          required: param.required === true,
          schema: resolveSchema(document, param.schema),
        };
      });
      const pathParamNames = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '([^/]+)')}$`);
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        params,
        pattern,
        pathParamNames,
        jsonBody: op.requestBody?.content?.['application/json']?.schema,
        statuses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return operations;
}

/** The operation a method and raw path address, and the path's decoded parameters. */
export function matchOperation(
  operations: readonly OperationSpec[],
  method: string,
  rawPath: string,
): { operation?: OperationSpec; pathParams?: Record<string, string>; pathMatched: boolean } {
  let pathMatched = false;
  for (const operation of operations) {
    const match = operation.pattern.exec(rawPath);
    if (!match) continue;
    pathMatched = true;
    if (operation.method !== method) continue;
    const pathParams: Record<string, string> = {};
    try {
      operation.pathParamNames.forEach((name, index) => {
        pathParams[name] = decodeURIComponent(match[index + 1] ?? '');
      });
    } catch {
      return { pathMatched };
    }
    return { operation, pathParams, pathMatched };
  }
  return { pathMatched };
}
