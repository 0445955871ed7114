/** ajv validators for every response the API document describes, $refs resolved from the yaml. */

import { readFileSync } from 'node:fs';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

/** `validatorFor(operationId, status)` checks a JSON response body against the document. */
export async function loadResponseValidators(): Promise<(operationId: string, status: number) => ValidateFunction> {
  const raw = parse(
    readFileSync(new URL('../../../openapi/neonpanel-api.openapi.yaml', import.meta.url), 'utf8'),
  ) as Json;
  const document = (await $RefParser.dereference(raw)) as Json;
  // OpenAPI 3.0 keywords (nullable, example) are not JSON Schema; ajv's `nullable` support covers the first.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  for (const item of Object.values(document.paths as Record<string, Json>)) {
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
    if (!validator) throw new Error(`the document has no JSON schema for ${operationId} ${status}`);
    return validator;
  };
}
