/**
 * ajv validators (JSON Schema 2020-12, as OpenAPI 3.1 uses it) for every response the API document
 * describes, $refs resolved from openapi/neonpanel-api.openapi.json (NeonPanel API 1.2).
 */

import { readFileSync } from 'node:fs';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

export const API_DOCUMENT_URL = new URL('../../../openapi/neonpanel-api.openapi.json', import.meta.url);

/** The API document as parsed JSON (refs unresolved). */
export function readApiDocument(): Json {
  return JSON.parse(readFileSync(API_DOCUMENT_URL, 'utf8')) as Json;
}

/** Every API operation of the document: operationId, method, path template and the statuses it lists. */
export function apiOperations(document: Json): Array<{ operationId: string; method: string; path: string }> {
  return Object.entries(document.paths as Record<string, Record<string, { operationId?: string }>>)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        operationId: operation.operationId as string,
        method: method.toUpperCase(),
        path,
      })),
    );
}

/**
 * `validatorFor(operationId, status)` checks a JSON response body against the document: the schema of
 * that status where the operation lists one with content, else (for an error status) the document's
 * general error shape, `{message}` or for 422 `{message, errors}`, which its Errors section gives every
 * endpoint. Throws for a success status the operation does not describe.
 */
export async function loadResponseValidators(): Promise<(operationId: string, status: number) => ValidateFunction> {
  const document = (await $RefParser.dereference(readApiDocument())) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
  const errorValidator = ajv.compile(schemas.ErrorResource as Json);
  const validationValidator = ajv.compile(schemas.ValidationErrorResource as Json);
  const validators = new Map<string, ValidateFunction>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    if (!path.startsWith('/api/')) continue;
    for (const operation of Object.values(item) as Array<{ operationId: string; responses: Json }>) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = (response as { content?: Record<string, { schema?: Json }> }).content?.['application/json']
          ?.schema;
        if (schema) validators.set(`${operation.operationId} ${status}`, ajv.compile(schema));
      }
    }
  }
  return (operationId, status) => {
    const validator = validators.get(`${operationId} ${status}`);
    if (validator) return validator;
    if (status === 422) return validationValidator;
    if (status >= 400) return errorValidator;
    throw new Error(`the document has no JSON schema for ${operationId} ${status}`);
  };
}
