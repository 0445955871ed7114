import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import YAML from 'yaml';
import { BUNDLED_API_DOCUMENT, packageRoot } from '../openapi/index.js';

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
 * for them, not at start: parsing the YAML again would cost start-up time (the tools already parsed
 * and dereferenced it), and these routes are for people, called rarely.
 */
export function openapiRouter(): Router {
  const yamlText = once(() => readFileSync(join(packageRoot(), BUNDLED_API_DOCUMENT), 'utf8'));
  const jsonText = once(() => JSON.stringify(YAML.parse(yamlText())));
  const router = Router();
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(yamlText());
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(jsonText());
  });
  return router;
}
