import { describe, expect, it } from 'vitest';
import { extractOperations, loadApiDocument, OpenApiDocumentError, parseApiDocument, toJsonSchema } from './index.js';

describe('the bundled API document', () => {
  it('loads, validates and yields the 13 operations with their parameters and 2xx schemas', async () => {
    const operations = extractOperations(await loadApiDocument());
    expect(operations).toHaveLength(13);
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
  });

  it('merges Pagination + data allOf responses into one object schema with no $ref left', async () => {
    const operations = extractOperations(await loadApiDocument());
    const companies = operations.find((op) => op.operationId === 'listCompanies')?.response?.schema;
    expect(companies).not.toHaveProperty('allOf');
    expect(Object.keys(companies?.properties ?? {})).toEqual(['current_page', 'per_page', 'last_page', 'data']);
    expect(JSON.stringify(operations)).not.toContain('$ref');
  });
});

describe('toJsonSchema', () => {
  const nullable = { type: 'string', format: 'date', nullable: true, example: '2024-01-01', readOnly: true };

  it('keeps nullable as a union for outputs and drops it for inputs', () => {
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
});

describe('parseApiDocument', () => {
  const doc = (paths: string) => `openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n${paths}`;

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

  it('refuses OpenAPI 3.1 and external $refs', async () => {
    await expect(parseApiDocument('openapi: 3.1.0\ninfo: {version: "1"}\npaths: {}', 'x')).rejects.toThrow(/3\.0\.x/);
    const external = doc(
      "  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'file:///etc/passwd'}",
    );
    // External resolution is off: the reference is never read, and the document is refused.
    await expect(parseApiDocument(external, 'ext.yaml')).rejects.toThrow(/external \$ref/);
  });
});
