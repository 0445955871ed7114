import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../openapi/index.js';
import { CATALOG_FILE, loadCatalog } from './catalog.js';
import { buildBundledCatalog, serializeCatalog } from './catalog-source.js';

it('the generated catalog is what the API document and the overlay give today', async () => {
  const committed = readFileSync(join(packageRoot(), CATALOG_FILE), 'utf8');
  expect(
    serializeCatalog(await buildBundledCatalog()) === committed,
    `${CATALOG_FILE} is stale: the API document or src/tools/overlay.yaml changed. Run \`npm run build\` and commit it.`,
  ).toBe(true);
});

it('holds every operation of the document with its overlay', () => {
  const catalog = loadCatalog();
  expect(catalog.api.version).toMatch(/\S/);
  expect(catalog.operations).toHaveLength(13);
  expect(catalog.operations.map((op) => op.operationId)).toContain('listCompanies');
  expect(Object.keys(catalog.overlay.tools).length).toBeGreaterThan(0);
});

it('names the missing file and the command that generates it', () => {
  expect(() => loadCatalog('/nonexistent/catalog.json')).toThrow(/\/nonexistent\/catalog\.json.*npm run build/);
});
