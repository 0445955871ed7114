import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { closeServer, listen } from '../../test/helpers/loopback.js';
import { openapiRouter } from './openapi-routes.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(openapiRouter());
  server = createServer(app);
  url = await listen(server);
});
afterAll(() => closeServer(server));

it('serves the NeonPanel API 1.2 document as JSON and the same document as YAML', async () => {
  const json = await fetch(`${url}/openapi.json`);
  expect(json.status).toBe(200);
  expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  const document = (await json.json()) as { openapi: string; info: { version: string }; paths: object };
  expect(document.openapi).toBe('3.1.0');
  expect(document.info.version).toBe('1.2.0-beta');
  expect(document.paths).toHaveProperty(['/api/v1/companies/{companyUuid}/bills/{billId}']);

  const yaml = await fetch(`${url}/openapi.yaml`);
  expect(yaml.status).toBe(200);
  expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
  const text = await yaml.text();
  expect(text).toMatch(/^openapi: 3\.1\.0$/m);
  expect(YAML.parse(text)).toEqual(document);
});
