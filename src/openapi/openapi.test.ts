import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolNameFor } from '../tools/names.js';
import {
  extractOperations,
  loadApiDocument,
  OpenApiDocumentError,
  packageRoot,
  parseApiDocument,
  toJsonSchema,
} from './index.js';

describe('the bundled API document (NeonPanel API 1.2, OpenAPI 3.1 JSON)', () => {
  it('loads, validates and yields the 59 /api/v1 operations, not the OAuth endpoints', async () => {
    const document = await loadApiDocument();
    expect(document).toMatchObject({ dialect: '3.1', version: '1.2.0-beta' });
    const operations = extractOperations(document);
    expect(operations).toHaveLength(59);
    expect(operations.every((op) => op.path.startsWith('/api/v1/'))).toBe(true);
    const revenue = operations.find((op) => op.operationId === 'revenueAndCogsSummary');
    expect(revenue).toMatchObject({ method: 'get', path: '/api/v1/revenue-and-cogs' });
    expect(revenue?.parameters.find((p) => p.name === 'company_uuids')).toMatchObject({
      in: 'query',
      style: 'form',
      explode: true,
      schema: { type: 'array', items: { type: 'string' } },
    });
    const pdf = operations.find((op) => op.operationId === 'createDocumentsByPdf');
    expect(pdf?.requestBody?.variants.map((v) => v.contentType)).toEqual([
      'multipart/form-data',
      'application/pdf',
      'application/json',
    ]);
    expect(pdf?.response?.status).toBe(202);
    expect(operations.find((op) => op.operationId === 'bills.read')).toMatchObject({
      method: 'get',
      path: '/api/v1/companies/{companyUuid}/bills/{billId}',
    });
  });

  it('marks the x-internal operations, and only those', async () => {
    const internal = extractOperations(await loadApiDocument())
      .filter((op) => op.internal)
      .map((op) => op.operationId);
    expect(internal).toEqual([
      'listPermissions',
      'listCompaniesWithPermission',
      'listPermissionsByCompany',
      'getImportInstructions',
      'createDocuments',
      'getCompanyForecastingSettings',
      'updateCompanyForecastingSettings',
      'createDocumentsByPdf',
      'checkImportProcessing',
    ]);
  });

  it('turns 3.1 nullability into JSON Schema unions for answers and plain types for arguments', async () => {
    const operations = extractOperations(await loadApiDocument());
    const bill = operations.find((op) => op.operationId === 'bills.read')?.response?.schema;
    // `type: ["string", "null"]` as the document writes it
    expect(bill?.properties?.['name']?.type).toEqual(['string', 'null']);
    const invoice = operations.find((op) => op.operationId === 'invoices.read')?.response?.schema;
    // `oneOf: [SalesChannelResource, {type: null}]` folded into one object schema
    expect(invoice?.properties?.['sales_channel']).toMatchObject({ type: ['object', 'null'] });
    expect(invoice?.properties?.['sales_channel']).not.toHaveProperty('oneOf');
    const create = operations.find((op) => op.operationId === 'invoices.create');
    const body = create?.requestBody?.variants[0]?.schema;
    expect(JSON.stringify(body)).not.toContain('"null"');
    expect(JSON.stringify(operations)).not.toContain('"$ref"');
    expect(JSON.stringify(operations)).not.toContain('"example"');
  });

  it('keeps the description written beside a $ref', async () => {
    const operations = extractOperations(await loadApiDocument());
    const cogs = operations.find((op) => op.operationId === 'listInventoryCogs')?.response?.schema;
    const details = cogs?.properties?.['details']?.items?.properties;
    expect(details?.['document']?.description).toBe('The document that made sales');
    expect(details?.['document']?.properties).toHaveProperty('ref_number');
  });
});

describe('NeonPanel API 1.0 (OpenAPI 3.0 YAML, kept as a fixture)', () => {
  it('still loads and yields its 13 operations and tools, inventory_details among them', async () => {
    const document = await loadApiDocument(join(packageRoot(), 'test/fixtures/neonpanel-api-1.0.openapi.yaml'));
    expect(document.dialect).toBe('3.0');
    const operations = extractOperations(document);
    expect(operations.map((op) => toolNameFor(op.operationId))).toEqual([
      'list_companies',
      'list_reports',
      'revenue_and_cogs_summary',
      'list_warehouses',
      'warehouse_balances',
      'list_inventory_items',
      'inventory_details',
      'list_inventory_landed_costs',
      'list_inventory_cogs',
      'get_import_instructions',
      'create_documents',
      'create_documents_by_pdf',
      'check_import_processing',
    ]);
    const companies = operations.find((op) => op.operationId === 'listCompanies')?.response?.schema;
    expect(companies).not.toHaveProperty('allOf');
    expect(Object.keys(companies?.properties ?? {})).toEqual(['current_page', 'per_page', 'last_page', 'data']);
    expect(JSON.stringify(operations)).not.toContain('$ref');
  });
});

describe('toJsonSchema', () => {
  const nullable = { type: 'string', format: 'date', nullable: true, example: '2024-01-01', readOnly: true };

  it('keeps 3.0 nullable as a union for outputs and drops it for inputs', () => {
    expect(toJsonSchema(nullable, 'output')).toEqual({ type: ['string', 'null'], format: 'date' });
    expect(toJsonSchema(nullable, 'input')).toEqual({ type: 'string', format: 'date' });
  });

  it('keeps a nullable object next to a $ref-style description', () => {
    const schema = { nullable: true, description: 'd', type: 'object', properties: { a: { type: 'integer' } } };
    expect(toJsonSchema(schema, 'output')).toEqual({
      type: ['object', 'null'],
      description: 'd',
      properties: { a: { type: 'integer' } },
    });
  });

  it('reads 3.1 schemas as JSON Schema: type arrays, const, examples, null unions', () => {
    const schema = {
      type: 'object',
      properties: {
        status: { const: 'done', examples: ['done'] },
        total: { type: ['number', 'null'], enum: [1, 2, null] },
        vendor: {
          description: 'v',
          anyOf: [{ type: 'object', properties: { id: { type: 'integer' } } }, { type: 'null' }],
        },
      },
    };
    expect(toJsonSchema(schema, 'output', '3.1').properties).toEqual({
      status: { const: 'done' },
      total: { type: ['number', 'null'], enum: [1, 2, null] },
      vendor: { description: 'v', type: ['object', 'null'], properties: { id: { type: 'integer' } } },
    });
    expect(toJsonSchema(schema, 'input', '3.1').properties).toEqual({
      status: { const: 'done' },
      total: { type: 'number', enum: [1, 2] },
      vendor: { description: 'v', type: 'object', properties: { id: { type: 'integer' } } },
    });
  });
});

describe('parseApiDocument', () => {
  const doc = (paths: string, version = '3.0.3') =>
    `openapi: ${version}\ninfo: {title: t, version: '1'}\npaths:\n${paths}`;

  it('names every problem of a bad document', async () => {
    const bad = doc(
      [
        '  /a/{id}:',
        '    get: {operationId: same, responses: {}}',
        '  /b:',
        '    get: {operationId: same, responses: {}}',
        '    post: {responses: {}}',
      ].join('\n'),
    );
    const error = await parseApiDocument(bad, 'bad.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenApiDocumentError);
    const problems = (error as OpenApiDocumentError).problems.join('\n');
    expect(problems).toContain('operationId "same" is used by both GET /a/{id} and GET /b');
    expect(problems).toContain('GET /a/{id} does not declare its path parameter "id"');
    expect(problems).toContain('POST /b needs an operationId');
  });

  it('reads JSON as well as YAML, 3.1 as well as 3.0, and skips operations not called with the user token', async () => {
    const json = JSON.stringify({
      openapi: '3.1.0',
      info: { title: 't', version: '2' },
      security: [{ OAuth2: ['openid'] }],
      components: {
        securitySchemes: { OAuth2: { type: 'oauth2', flows: {} }, Rat: { type: 'http', scheme: 'bearer' } },
      },
      paths: {
        '/api/v1/bills': { get: { operationId: 'bills.list', responses: {} } },
        '/oauth2/token': { post: { security: [], responses: {} } },
        '/oauth2/register/{client_id}': { get: { security: [{ Rat: [] }], responses: {} } },
      },
    });
    const document = await parseApiDocument(json, 'doc.json');
    expect(document).toMatchObject({ dialect: '3.1', version: '2' });
    expect(extractOperations(document).map((op) => op.operationId)).toEqual(['bills.list']);
  });

  it('refuses OpenAPI versions other than 3.0 and 3.1, and external $refs', async () => {
    await expect(parseApiDocument('openapi: 3.2.0\ninfo: {version: "1"}\npaths: {}', 'x')).rejects.toThrow(
      /3\.0\.x or 3\.1\.x/,
    );
    await expect(parseApiDocument('swagger: "2.0"\ninfo: {version: "1"}\npaths: {}', 'x')).rejects.toThrow(
      /"openapi" must be/,
    );
    const external = doc(
      "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'file:///etc/passwd'}",
      '3.1.0',
    );
    // External resolution is off: the reference is never read, and the document is refused.
    await expect(parseApiDocument(external, 'ext.yaml')).rejects.toThrow(/external \$ref/);
  });
});
