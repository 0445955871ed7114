/**
 * Checks an operation's path and query parameters against the document's schemas (required, integer
 * bounds, enums, dates, UUIDs, lengths, repeated keys for arrays) and applies defaults. Failures are
 * 422s naming each field, in NeonPanel's (Laravel's) wording.
 */

import { isIsoDate } from '../data/dates.js';
import type { ApiCall } from './context.js';
import { validationError } from './errors.js';
import type { OperationSpec, ParamSchema, ParamSpec } from './spec.js';

export type ParamValues = Record<string, string | number | string[] | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The problem with one scalar value, or undefined. */
function scalarProblem(name: string, value: string, schema: ParamSchema): string | undefined {
  if (schema.type === 'integer') {
    if (!/^-?\d{1,15}$/.test(value)) return `The ${name} field must be an integer.`;
    const n = Number(value);
    if (schema.minimum !== undefined && n < schema.minimum)
      return `The ${name} field must be at least ${schema.minimum}.`;
    if (schema.maximum !== undefined && n > schema.maximum) {
      return `The ${name} field must not be greater than ${schema.maximum}.`;
    }
    return undefined;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    return `The selected ${name} "${value}" is invalid; allowed: ${schema.enum.join(', ')}.`;
  }
  if (schema.format === 'date' && !isIsoDate(value)) {
    return `The ${name} field must be a valid date in the format YYYY-MM-DD, got "${value}".`;
  }
  if (schema.format === 'uuid' && !UUID.test(value)) return `The ${name} field must be a valid UUID.`;
  if (schema.minLength !== undefined && schema.minLength === schema.maxLength && value.length !== schema.minLength) {
    return `The ${name} field must be ${schema.minLength} characters.`;
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    return `The ${name} field must be at least ${schema.minLength} characters.`;
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    return `The ${name} field must not be greater than ${schema.maxLength} characters.`;
  }
  return undefined;
}

function checkParam(param: ParamSpec, raw: string[], errors: Record<string, string[]>, values: ParamValues): void {
  const { name, schema } = param;
  const given = raw.filter((value) => value !== '');
  if (given.length === 0) {
    if (param.required) errors[name] = [`The ${name} field is required.`];
    else if (schema.default !== undefined) values[name] = schema.default as string | number | string[];
    return;
  }
  if (schema.type === 'array') {
    const problems = given.map((value) => scalarProblem(name, value, schema.items ?? {})).filter(Boolean) as string[];
    if (problems.length > 0) errors[name] = problems;
    else values[name] = given;
    return;
  }
  if (given.length > 1) {
    errors[name] = [`The ${name} field must be given once.`];
    return;
  }
  const value = given[0] as string;
  const problem = scalarProblem(name, value, schema);
  if (problem) errors[name] = [problem];
  else values[name] = schema.type === 'integer' ? Number(value) : value;
}

/** The operation's parameters, checked; throws a 422 ApiError naming every failing field. */
export function validateParams(
  operation: OperationSpec,
  pathParams: Record<string, string>,
  query: URLSearchParams,
): ParamValues {
  const errors: Record<string, string[]> = {};
  const values: ParamValues = {};
  for (const param of operation.params) {
    if (param.in === 'query' && param.schema.type === 'array' && query.has(`${param.name}[]`)) {
      errors[param.name] = [
        `Send ${param.name} as repeated keys (${param.name}=a&${param.name}=b), not as ${param.name}[]=…`,
      ];
      continue;
    }
    const raw = param.in === 'path' ? [pathParams[param.name] ?? ''] : query.getAll(param.name);
    checkParam(param, raw, errors, values);
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return values;
}

/** Most rows a page may hold where the document leaves `per_page` unbounded. */
const MAX_PER_PAGE = 100;

/**
 * `page` and `per_page` of a paginated list. Lists whose operation declares them get them checked by
 * validateParams; the document lists declare neither but accept both, so they are checked here.
 */
export function pageParams(call: ApiCall, defaultPerPage: number): { page: number; perPage: number } {
  const errors: Record<string, string[]> = {};
  const read = (name: string, fallback: number, maximum?: number): number => {
    const declared = call.params[name];
    if (typeof declared === 'number') return declared;
    const raw = call.req.query[name];
    if (raw === undefined || raw === '') return fallback;
    const problem =
      typeof raw === 'string'
        ? scalarProblem(name, raw, { type: 'integer', minimum: 1, maximum })
        : `The ${name} field must be given once.`;
    if (problem) errors[name] = [problem];
    return problem ? fallback : Number(raw);
  };
  const page = read('page', 1);
  const perPage = read('per_page', defaultPerPage, MAX_PER_PAGE);
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return { page, perPage };
}
