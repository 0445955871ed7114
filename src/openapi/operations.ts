import { type ApiDocument, type HttpMethod, type SchemaDialect, usesCallerToken } from './document.js';
import { type JsonSchema, toJsonSchema } from './json-schema.js';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** One parameter of an operation, with its OpenAPI serialisation rules. */
export interface OperationParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** OpenAPI `style`; defaults per location (`simple` for path, `form` for query). */
  style: string;
  /** OpenAPI `explode`; defaults to true only for `form`. */
  explode: boolean;
  description?: string;
  /** Input-mode JSON Schema (no union types). */
  schema: JsonSchema;
}

/** One content type a request body may be sent as. */
export interface RequestBodyVariant {
  contentType: string;
  /** Input-mode JSON Schema of the body. */
  schema: JsonSchema;
}

export interface OperationRequestBody {
  required: boolean;
  description?: string;
  variants: RequestBodyVariant[];
}

/** The success answer a tool's output schema is derived from. */
export interface OperationResponse {
  status: number;
  contentType: string;
  /** Output-mode JSON Schema (nullable kept). */
  schema: JsonSchema;
}

/** Everything the bridge needs to know about one API operation. */
export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** Path template as in the document, e.g. `/api/v1/companies/{companyUuid}/warehouses`. */
  path: string;
  summary?: string;
  description?: string;
  tags: string[];
  /** NeonPanel marks the operation `x-internal`: served, but not part of its stable public API. */
  internal?: boolean;
  parameters: OperationParameter[];
  requestBody?: OperationRequestBody;
  /** The first 2xx answer with a JSON body, if any. */
  response?: OperationResponse;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function toParameter(raw: Record<string, unknown>, dialect: SchemaDialect): OperationParameter {
  const location = raw['in'] as ParameterLocation;
  const style = optionalString(raw['style']) ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple');
  const explode = typeof raw['explode'] === 'boolean' ? raw['explode'] : style === 'form';
  const schemaSource = isObject(raw['schema'])
    ? raw['schema']
    : // A parameter described by `content` instead of `schema`: take its first media type.
      (Object.values(raw['content'] as Record<string, { schema?: unknown }>)[0]?.schema ?? {});
  const description = optionalString(raw['description']);
  return {
    name: String(raw['name']),
    in: location,
    required: location === 'path' ? true : raw['required'] === true,
    style,
    explode,
    ...(description ? { description } : {}),
    schema: toJsonSchema(schemaSource, 'input', dialect),
  };
}

/** Path-level parameters apply unless the operation redefines the same name and location. */
function mergeParameters(pathLevel: unknown, opLevel: unknown, dialect: SchemaDialect): OperationParameter[] {
  const byKey = new Map<string, OperationParameter>();
  for (const list of [pathLevel, opLevel]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      if (!isObject(raw)) continue;
      const param = toParameter(raw, dialect);
      byKey.set(`${param.in}:${param.name}`, param);
    }
  }
  return [...byKey.values()];
}

function toRequestBody(raw: unknown, dialect: SchemaDialect): OperationRequestBody | undefined {
  if (!isObject(raw) || !isObject(raw['content'])) return undefined;
  const variants = Object.entries(raw['content']).map(([contentType, media]) => ({
    contentType,
    schema: toJsonSchema(isObject(media) ? media['schema'] : undefined, 'input', dialect),
  }));
  const description = optionalString(raw['description']);
  return { required: raw['required'] === true, ...(description ? { description } : {}), variants };
}

function isJsonMediaType(contentType: string): boolean {
  return /^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType);
}

function toResponse(raw: unknown, dialect: SchemaDialect): OperationResponse | undefined {
  if (!isObject(raw)) return undefined;
  const statuses = Object.keys(raw)
    .filter((code) => /^2\d\d$/.test(code))
    .sort();
  for (const code of statuses) {
    const response = raw[code];
    if (!isObject(response) || !isObject(response['content'])) continue;
    const json = Object.entries(response['content']).find(([type]) => isJsonMediaType(type));
    if (!json) continue;
    const [contentType, media] = json;
    return {
      status: Number(code),
      contentType,
      schema: toJsonSchema(isObject(media) ? media['schema'] : {}, 'output', dialect),
    };
  }
  return undefined;
}

/**
 * Extracts the operation model from a dereferenced document, in document order: every operation
 * called with the user's bearer token (the document's OAuth endpoints are not).
 */
export function extractOperations(doc: ApiDocument): Operation[] {
  const operations: Operation[] = [];
  const paths = doc.raw['paths'] as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || typeof op['operationId'] !== 'string' || !usesCallerToken(doc.raw, op)) continue;
      const summary = optionalString(op['summary']);
      const description = optionalString(op['description']);
      const requestBody = toRequestBody(op['requestBody'], doc.dialect);
      const response = toResponse(op['responses'], doc.dialect);
      operations.push({
        operationId: op['operationId'],
        method: method as HttpMethod,
        path,
        ...(summary ? { summary } : {}),
        ...(description ? { description } : {}),
        tags: Array.isArray(op['tags']) ? op['tags'].map(String) : [],
        ...(op['x-internal'] === true ? { internal: true } : {}),
        parameters: mergeParameters(item['parameters'], op['parameters'], doc.dialect),
        ...(requestBody ? { requestBody } : {}),
        ...(response ? { response } : {}),
      });
    }
  }
  return operations;
}
