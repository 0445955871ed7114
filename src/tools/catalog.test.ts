import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { loadApiDocument, packageRoot } from '../openapi/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { CATALOG_FILE, loadCatalog } from './catalog.js';
import { buildBundledCatalog, buildCatalog, CatalogError, serializeCatalog } from './catalog-source.js';
import { createToolset } from './index.js';
import { toolNameFor } from './names.js';
import { loadOverlay, type Overlay } from './overlay.js';
import { createValidator } from './validation.js';

it('the generated catalog is what the API document and the overlay give today', async () => {
  const committed = readFileSync(join(packageRoot(), CATALOG_FILE), 'utf8');
  expect(
    serializeCatalog(await buildBundledCatalog()) === committed,
    `${CATALOG_FILE} is stale: the API document or src/tools/overlay.yaml changed. Run \`npm run build\` and commit it.`,
  ).toBe(true);
});

it('holds every operation of NeonPanel API 1.2 with its overlay', () => {
  const catalog = loadCatalog();
  expect(catalog.api).toEqual({ title: 'NeonPanel API', version: '1.2.0-beta' });
  expect(catalog.operations).toHaveLength(59);
  for (const op of catalog.operations) {
    expect(catalog.overlay.tools[op.operationId]?.title, op.operationId).toMatch(/\S/);
    expect(catalog.overlay.tools[op.operationId]?.description, op.operationId).toMatch(/\S{20}|\s/);
  }
});

it('names the missing file and the command that generates it', () => {
  expect(() => loadCatalog('/nonexistent/catalog.json')).toThrow(/\/nonexistent\/catalog\.json.*npm run build/);
});

it('has a response schema for drift checks that compiles, for every operation that answers JSON', () => {
  const ajv = createValidator();
  const answering = loadCatalog().operations.filter((op) => op.response);
  // Deletes answer 204 without a body; everything else is checked against the document.
  expect(answering.length).toBe(57);
  for (const op of answering) expect(() => ajv.compile(op.response?.schema ?? {}), op.operationId).not.toThrow();
});

describe('the build refuses a catalog a model could not use', () => {
  const problemsOf = async (edit: (overlay: Overlay) => void, rename?: [string, string]) => {
    const document = await loadApiDocument();
    const overlay = structuredClone(loadOverlay());
    edit(overlay);
    if (rename) {
      const paths = document.raw['paths'] as Record<string, Record<string, { operationId?: string }>>;
      for (const item of Object.values(paths)) {
        for (const op of Object.values(item)) if (op?.operationId === rename[0]) op.operationId = rename[1];
      }
    }
    try {
      buildCatalog(document, overlay);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return (err as CatalogError).problems;
    }
  };

  it('builds the bundled document and overlay', async () => {
    expect(await problemsOf(() => {})).toEqual([]);
  });

  it('an operation without a curated title and description', async () => {
    const problems = await problemsOf((overlay) => {
      delete overlay.tools['bills.read'];
      delete overlay.tools['invoices.list']?.description;
    });
    expect(problems).toEqual([
      'src/tools/overlay.yaml gives bills.read no title and no description',
      'src/tools/overlay.yaml gives invoices.list no description',
    ]);
  });

  it('an overlay entry for an operation the document does not have', async () => {
    const problems = await problemsOf((overlay) => {
      overlay.tools['inventoryDetails'] = { title: 'Inventory item details', description: 'Gone in 1.2.' };
    });
    expect(problems).toEqual([
      'src/tools/overlay.yaml describes inventoryDetails, an operation the API document does not have',
    ]);
  });

  it('two operations that would have one tool name', async () => {
    const problems = await problemsOf(
      (overlay) => {
        overlay.tools['getBill'] = overlay.tools['bills.list'] ?? {};
        delete overlay.tools['bills.list'];
      },
      ['bills.list', 'getBill'],
    );
    expect(problems).toEqual(['operation getBill and operation bills.read would both be the tool "get_bill"']);
  });

  it('an internal operation whose description does not say so', async () => {
    const problems = await problemsOf((overlay) => {
      const own = overlay.tools['listPermissions'];
      if (own) own.description = 'Every permission key NeonPanel defines.';
    });
    expect(problems).toEqual([
      'src/tools/overlay.yaml must say that listPermissions is internal (x-internal) in its description',
    ]);
  });
});

describe('annotations follow the HTTP method', () => {
  it('GET reads; POST creates; PUT overwrites; DELETE removes; open world only where NeonPanel reaches out', async () => {
    const toolset = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics() });
    await toolset.close();
    const methods = new Map(loadCatalog().operations.map((op) => [toolNameFor(op.operationId), op.method]));
    const expected = {
      get: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
      post: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
      put: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
      delete: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    } as const;
    for (const [name, method] of methods) {
      const tool = toolset.get(name);
      expect(tool?.annotations, name).toMatchObject(expected[method as keyof typeof expected]);
    }
    const openWorld = toolset.tools.filter((tool) => tool.annotations.openWorldHint).map((tool) => tool.name);
    expect(openWorld.sort()).toEqual(['create_documents_by_pdf', 'sync_listing']);
  });
});

describe('what the catalog adds to the document', () => {
  const operation = (id: string) => {
    const found = loadCatalog().operations.find((op) => op.operationId === id);
    if (!found) throw new Error(`no ${id}`);
    return found;
  };

  it('page and per_page on every paginated list, as the document says in prose, never twice', () => {
    for (const id of ['bills.list', 'invoices.list', 'getProducts', 'vendors.list', 'listCompanies']) {
      const names = operation(id).parameters.map((p) => p.name);
      expect(
        names.filter((name) => name === 'page'),
        id,
      ).toHaveLength(1);
      expect(
        names.filter((name) => name === 'per_page'),
        id,
      ).toHaveLength(1);
    }
    expect(operation('paymentTerms.list').parameters.map((p) => p.name)).toEqual(['companyUuid']);
  });

  it('tool names where the document names another operation by method and path', () => {
    const details = operation('invoices.create').requestBody?.variants[0]?.schema.properties?.['details'];
    expect(details?.items?.properties?.['service_id']?.description).toContain('from list_services');
    expect(JSON.stringify(operation('invoices.create').requestBody)).not.toContain('GET /api/v1');
  });

  it("an update's body fields described once, in the create beside it", () => {
    const body = (id: string) => operation(id).requestBody?.variants[0]?.schema.properties ?? {};
    expect(body('shipments.create')['tracking_number']?.description).toMatch(/tracking number/i);
    expect(body('shipments.update')['tracking_number']).toEqual({ type: 'string' });
  });
});
