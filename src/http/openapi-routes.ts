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
 * The bundled NeonPanel API document as given (YAML) and as JSON. Both are built on the first request
 * for them, and the YAML parser is loaded only then: the server itself never parses the document
 * (its tools come from the catalog built at build time), and these routes are for people, called rarely.
 */
export function openapiRouter(): Router {
  const yamlText = once(() => readFileSync(join(packageRoot(), BUNDLED_API_DOCUMENT), 'utf8'));
  const jsonText = once(async () => JSON.stringify((await import('yaml')).parse(yamlText())));
  const router = Router();
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(yamlText());
  });
  router.get('/openapi.json', async (_req, res) => {
    res.type('application/json').send(await jsonText());
  });
  return router;
}
