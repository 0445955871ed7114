import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { BUNDLED_API_DOCUMENT, packageRoot } from '../openapi/package-root.js';

/** Computes `make()` on first use and keeps the result. */
function once<T>(make: () => T): () => T {
  let value: { made: T } | undefined;
  return () => {
    value ??= { made: make() };
    return value.made;
  };
}

/**
 * The bundled NeonPanel API document as given (JSON) and as YAML. Both are built on the first request
 * for them, and the YAML library is loaded only then: the server itself never parses the document
 * (its tools come from the catalog built at build time), and these routes are for people, called rarely.
 */
export function openapiRouter(): Router {
  const jsonText = once(() => readFileSync(join(packageRoot(), BUNDLED_API_DOCUMENT), 'utf8'));
  const yamlText = once(async () => (await import('yaml')).stringify(JSON.parse(jsonText())));
  const router = Router();
  router.get('/openapi.yaml', async (_req, res) => {
    res.type('application/yaml').send(await yamlText());
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(jsonText());
  });
  return router;
}
