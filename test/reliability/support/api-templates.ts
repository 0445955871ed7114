import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const API_DOCUMENT = resolve(import.meta.dirname, '../../../openapi/neonpanel-api.openapi.json');

interface Parameter {
  name: string;
  in: string;
}

/** One NeonPanel API operation as the bundled document declares it. */
export interface OperationTemplate {
  operationId: string;
  method: string;
  /** `/api/v1/companies/{companyUuid}/warehouses` */
  template: string;
  pathParams: string[];
  queryParams: string[];
}

/** Every operation of the bundled API document (NeonPanel API 1.2, the one the bridge builds its tools from). */
export function loadOperationTemplates(): OperationTemplate[] {
  const doc = JSON.parse(readFileSync(API_DOCUMENT, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; parameters?: Array<Parameter | { $ref: string }> }>>;
    components: { parameters: Record<string, Parameter> };
  };
  // 1.2 shares some parameters (`companyUuid`, the document ids) under components/parameters.
  const resolveParameter = (parameter: Parameter | { $ref: string }): Parameter =>
    '$ref' in parameter ? (doc.components.parameters[parameter.$ref.split('/').at(-1) ?? ''] as Parameter) : parameter;
  const operations: OperationTemplate[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.operationId) continue;
      const parameters = (operation.parameters ?? []).map(resolveParameter);
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
  return operations;
}

/**
 * Characters a path segment may carry unencoded: RFC 3986 unreserved and sub-delims, `:` and `@`,
 * except `;` (matrix parameters on some servers). Anything else must arrive as `%XX`.
 */
const SAFE_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,=:@]|%[0-9A-Fa-f]{2})+$/;

/** What is wrong with one logged upstream request (empty when it is a clean instance of its operation). */
export function upstreamUrlProblems(
  entry: { method: string; path: string; query: string; operationId?: string },
  operations: readonly OperationTemplate[],
): string[] {
  const operation = operations.find((op) => op.operationId === entry.operationId);
  if (!operation) return [`${entry.method} ${entry.path}: matches no operation of the API document`];
  if (operation.method !== entry.method) return [`${entry.path}: method ${entry.method}, expected ${operation.method}`];
  const problems: string[] = [];
  const expected = operation.template.split('/');
  const actual = entry.path.split('/');
  if (expected.length !== actual.length) {
    problems.push(`${entry.path}: ${actual.length} segments, template ${operation.template} has ${expected.length}`);
    return problems;
  }
  expected.forEach((segment, i) => {
    const got = actual[i]!;
    if (!segment.startsWith('{')) {
      if (got !== segment) problems.push(`${entry.path}: segment ${i} is "${got}", template says "${segment}"`);
      return;
    }
    if (!SAFE_SEGMENT.test(got)) problems.push(`${entry.path}: ${segment} segment "${got}" is not percent-encoded`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(got);
    } catch {
      problems.push(`${entry.path}: ${segment} segment "${got}" has a broken escape`);
      return;
    }
    if (/^\.{1,2}$/.test(decoded) || /^\.{1,2}$/.test(got)) {
      problems.push(`${entry.path}: ${segment} is a dot-segment ("${got}") that normalisation resolves`);
    }
  });
  const keys = new Set(new URLSearchParams(entry.query).keys());
  for (const key of keys) {
    if (!operation.queryParams.includes(key))
      problems.push(`${entry.path}?${entry.query}: unexpected query key "${key}"`);
  }
  return problems;
}

/** The decoded value of each path parameter of a logged request (after upstreamUrlProblems passed). */
export function pathParamValues(path: string, operation: OperationTemplate): Record<string, string> {
  const values: Record<string, string> = {};
  const actual = path.split('/');
  operation.template.split('/').forEach((segment, i) => {
    if (segment.startsWith('{')) values[segment.slice(1, -1)] = decodeURIComponent(actual[i] ?? '');
  });
  return values;
}
