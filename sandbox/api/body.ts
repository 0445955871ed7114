/**
 * JSON request bodies checked against the operation's schema in the API document (ajv, JSON Schema
 * 2020-12 as OpenAPI 3.1 uses it). Failures are 422s keyed by Laravel's dotted field names
 * (`details.0.quantity`), as NeonPanel answers them.
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ApiCall } from './context.js';
import { ApiError, validationError } from './errors.js';
import type { OperationSpec } from './spec.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const DOCUMENT_ID = 'neonpanel-api';

type Json = Record<string, unknown>;

/** Points the document's local `$ref`s (`#/components/…`) at the document registered in ajv. */
function anchorRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchorRefs);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? `${DOCUMENT_ID}${value}`
        : anchorRefs(value),
    ]),
  );
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).join('.');
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : '';
  return [path, missing].filter(Boolean).join('.') || 'body';
}

/** Laravel's wording for one ajv error. */
function messageOf(field: string, error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `The ${field} field is required.`;
    case 'type': {
      const types = String(params.type)
        .split(',')
        .filter((type) => type !== 'null');
      return `The ${field} field must be ${TYPE_NAMES[types[0] ?? ''] ?? types.join(' or ')}.`;
    }
    case 'minimum':
      return `The ${field} field must be at least ${params.limit}.`;
    case 'maximum':
      return `The ${field} field must not be greater than ${params.limit}.`;
    case 'minLength':
      return `The ${field} field must be at least ${params.limit} characters.`;
    case 'maxLength':
      return `The ${field} field must not be greater than ${params.limit} characters.`;
    case 'enum':
      return `The selected ${field} is invalid.`;
    case 'format':
      return params.format === 'date'
        ? `The ${field} field must be a valid date (YYYY-MM-DD).`
        : `The ${field} field must be a valid ${params.format}.`;
    default:
      return `The ${field} field ${error.message ?? 'is invalid'}.`;
  }
}

/** Turns ajv errors into the field-keyed 422 (first message per field kept in order). */
function bodyValidationError(errors: readonly ErrorObject[]): ApiError {
  const byField: Record<string, string[]> = {};
  for (const error of errors) {
    // oneOf/anyOf/if add a summary error after their branches' own errors, which say more.
    if (['oneOf', 'anyOf', 'if'].includes(error.keyword)) continue;
    const field = fieldOf(error);
    const list = byField[field] ?? [];
    const message = messageOf(field, error);
    if (!list.includes(message)) list.push(message);
    byField[field] = list;
  }
  return validationError(byField);
}

/** The parsed JSON body of a call: `{}` when empty, 400 when not JSON or not an object. */
export function jsonBody(call: ApiCall): Json {
  const raw = Buffer.isBuffer(call.req.body) ? call.req.body : Buffer.alloc(0);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'The request body must be a JSON object.');
  }
  return parsed as Json;
}

let shared: BodyValidator | undefined;

/** The process's validator: compiled schemas do not change, so sandboxes in one process share them. */
export function bodyValidator(document: Json): BodyValidator {
  shared ??= new BodyValidator(document);
  return shared;
}

/** Validators of each operation's JSON body, compiled on first use. */
class BodyValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(anchorRefs(document) as Json, DOCUMENT_ID);
  }

  /** The call's JSON body, checked against the operation's schema, else `fallbackSchema` (else unchecked). */
  parse(operation: OperationSpec, call: ApiCall, fallbackSchema?: Json): Json {
    const body = jsonBody(call);
    const schema = operation.jsonBody ?? fallbackSchema;
    if (schema === undefined) return body;
    // An operation's handler always passes the same fallback, so the operation names its schema either way.
    let validate = this.compiled.get(operation.operationId);
    if (!validate) {
      validate = this.ajv.compile(anchorRefs(schema) as Json);
      this.compiled.set(operation.operationId, validate);
    }
    if (!validate(body)) throw bodyValidationError(validate.errors ?? []);
    return body;
  }
}
