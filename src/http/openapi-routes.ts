import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import YAML from 'yaml';
import { BUNDLED_API_DOCUMENT, packageRoot } from '../openapi/index.js';

/** The bundled NeonPanel API document as given (YAML) and as JSON, read once. */
export function openapiRouter(): Router {
  const yamlText = readFileSync(join(packageRoot(), BUNDLED_API_DOCUMENT), 'utf8');
  const jsonText = JSON.stringify(YAML.parse(yamlText));
  const router = Router();
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(yamlText);
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(jsonText);
  });
  return router;
}
