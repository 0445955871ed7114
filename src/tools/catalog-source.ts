import {
  type ApiDocument,
  extractOperations,
  type JsonSchema,
  loadApiDocument,
  type Operation,
} from '../openapi/index.js';
import type { ToolCatalog } from './catalog.js';
import { toolNameFor, toolNameProblems } from './names.js';
import { loadOverlay, type Overlay } from './overlay.js';

/** The tools the bridge adds to the document's operations; the overlay describes them too. */
const OWN_TOOLS = ['search', 'fetch'];

/**
 * What keeps a catalog from being built: a tool name clients refuse or two operations with one name,
 * an operation the overlay gives no curated title and description (a new document version must not
 * ship tools a model cannot tell apart), an overlay entry for an operation the document lacks.
 */
export function catalogProblems(operations: readonly Operation[], overlay: Overlay): string[] {
  const problems = toolNameProblems([
    ...operations.map((op) => ({ name: toolNameFor(op.operationId), source: `operation ${op.operationId}` })),
    ...OWN_TOOLS.map((name) => ({ name, source: `the bridge's own tool ${name}` })),
  ]);
  const ids = new Set(operations.map((op) => op.operationId));
  for (const id of [...ids, ...OWN_TOOLS]) {
    const own = overlay.tools[id];
    const missing = ['title', 'description'].filter((field) => !own?.[field as 'title' | 'description']);
    if (missing.length > 0) problems.push(`src/tools/overlay.yaml gives ${id} no ${missing.join(' and no ')}`);
  }
  // A model should know when NeonPanel calls an endpoint unstable (`x-internal`): say so, briefly.
  for (const op of operations) {
    if (op.internal && !/\binternal\b/i.test(overlay.tools[op.operationId]?.description ?? 'internal')) {
      problems.push(
        `src/tools/overlay.yaml must say that ${op.operationId} is internal (x-internal) in its description`,
      );
    }
  }
  for (const key of Object.keys(overlay.tools)) {
    if (!ids.has(key) && !OWN_TOOLS.includes(key)) {
      problems.push(`src/tools/overlay.yaml describes ${key}, an operation the API document does not have`);
    }
  }
  return problems;
}

/** `GET /api/v1/companies/{companyUuid}/services`, with or without backticks, in the document's prose. */
const OPERATION_REFERENCE = /`?\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s`]+)`?/g;

/**
 * The document's prose names other operations by method and path; a model calls tools by name. Every
 * such reference in a parameter or body field description becomes the tool's name (`list_services`),
 * which is shorter too. References to paths the document lacks are left as they are.
 */
function namingTools(operations: readonly Operation[]): Operation[] {
  const byRoute = new Map(
    operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, toolNameFor(op.operationId)]),
  );
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(OPERATION_REFERENCE, (text, method: string, path: string) => {
        const name = byRoute.get(`${method} ${path.replace(/[.,;:)]+$/, '')}`);
        return name ? `${name}${path.match(/[.,;:)]+$/)?.[0] ?? ''}` : text;
      });
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, rewrite(child)]));
  };
  return operations.map((op) => ({
    ...op,
    parameters: rewrite(op.parameters) as Operation['parameters'],
    ...(op.requestBody ? { requestBody: rewrite(op.requestBody) as NonNullable<Operation['requestBody']> } : {}),
  }));
}

function withoutDescriptions(schema: JsonSchema): JsonSchema {
  const { description: _description, ...out } = schema;
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, prop]) => [name, withoutDescriptions(prop)]),
    );
  }
  if (out.items) out.items = withoutDescriptions(out.items);
  return out;
}

/**
 * An update (`PUT …/bills/{billId}`) takes the same body fields as the create beside it (`POST …/bills`).
 * Each field the two describe identically is described once, in the create tool; the update tool
 * keeps the field, its type and its rules, and its overlay description points at the create tool.
 * The whole tools/list answer has to stay small, and these were its largest repetition.
 */
function describedOnceInCreate(operations: readonly Operation[]): Operation[] {
  const bodyOf = (op: Operation) => op.requestBody?.variants.find((v) => /json/i.test(v.contentType))?.schema;
  return operations.map((op) => {
    if (op.method !== 'put' && op.method !== 'patch') return op;
    const collection = op.path.replace(/\/\{[^}/]+\}$/, '');
    const create = operations.find((other) => other.method === 'post' && other.path === collection);
    const body = bodyOf(op);
    const createFields = create ? (bodyOf(create)?.properties ?? {}) : {};
    if (!op.requestBody || !body?.properties || collection === op.path) return op;
    const properties = Object.fromEntries(
      Object.entries(body.properties).map(([name, field]) => [
        name,
        JSON.stringify(field) === JSON.stringify(createFields[name]) ? withoutDescriptions(field) : field,
      ]),
    );
    const variants = op.requestBody.variants.map((v) =>
      v.schema === body ? { ...v, schema: { ...body, properties } } : v,
    );
    return { ...op, requestBody: { ...op.requestBody, variants } };
  });
}

/**
 * The document's Pagination section says every paginated list (an answer with `current_page` and
 * `last_page` beside `data`) accepts `page` and `per_page`, but most document lists of NeonPanel 1.2
 * declare neither: without them a model could never get past the first page. They are added where
 * missing, as query parameters with the bounds the answer's own `per_page` states.
 */
function withDocumentedPagination(operations: readonly Operation[]): Operation[] {
  return operations.map((op) => {
    const answer = op.response?.schema.properties;
    if (op.method !== 'get' || !answer?.['current_page'] || !answer['last_page']) return op;
    const { minimum: _minimum, default: _default, ...bounds } = answer['per_page'] ?? {};
    const missing = [
      { name: 'page', schema: { type: 'integer', minimum: 1 } },
      { name: 'per_page', schema: { ...bounds, type: 'integer', minimum: 1 } },
    ].filter(({ name }) => !op.parameters.some((param) => param.name === name));
    if (missing.length === 0) return op;
    const added = missing.map(({ name, schema }) => ({
      name,
      in: 'query' as const,
      required: false,
      style: 'form',
      explode: true,
      schema,
    }));
    return { ...op, parameters: [...op.parameters, ...added] };
  });
}

/** A catalog that cannot be built; every problem is listed. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`cannot build the tool catalog from ${source}:\n- ${problems.join('\n- ')}`);
  }
}

/**
 * Builds a tool catalog from an API document and an overlay. Used at build time, by
 * `openapi:check` for another copy of the document, and by the test that keeps the generated file fresh;
 * the server itself only reads the generated file, so it never loads the YAML and schema tooling.
 * Throws CatalogError on any of `catalogProblems`, unless `checkOverlay` is false (openapi:check
 * reports them for review instead).
 */
export function buildCatalog(
  document: ApiDocument,
  overlay: Overlay,
  { checkOverlay = true }: { checkOverlay?: boolean } = {},
): ToolCatalog {
  const operations = withDocumentedPagination(describedOnceInCreate(namingTools(extractOperations(document))));
  if (checkOverlay) {
    const problems = catalogProblems(operations, overlay);
    if (problems.length > 0) throw new CatalogError(document.source, problems);
  }
  return { api: { title: document.title, version: document.version }, operations, overlay };
}

/** The catalog of the bundled API document and overlay: what `npm run build` writes. */
export async function buildBundledCatalog(): Promise<ToolCatalog> {
  return buildCatalog(await loadApiDocument(), loadOverlay());
}

/** The generated file's exact text (indented, so a change to the tools reads well in a diff). */
export function serializeCatalog(catalog: ToolCatalog): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}
