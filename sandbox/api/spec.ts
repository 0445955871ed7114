/**
 * The API's route table, read from the project's copy of neonpanel-api.openapi.yaml, so the sandbox
 * serves exactly the document's paths, methods and parameter rules.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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

let cached: readonly OperationSpec[] | undefined;

/** Every operation of the API document (parsed once per process: the file does not change while running). */
export function loadApiOperations(): readonly OperationSpec[] {
  cached ??= parseApiOperations();
  return cached;
}

function parseApiOperations(): OperationSpec[] {
  const document = parse(readFileSync(findDocument('neonpanel-api.openapi.yaml'), 'utf8')) as Json;
  const operations: OperationSpec[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as { operationId: string; parameters?: unknown[] };
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
