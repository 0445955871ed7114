import type { JsonSchema } from '../openapi/index.js';
import type { JsonSchemaObject } from './input-schema.js';

/**
 * How many levels of nested objects an output schema spells out. Deeper objects are listed as
 * plain `object`: their fields are in the data anyway, and the whole tools/list answer has to stay
 * small (every client re-reads it into the model's context).
 */
export const OUTPUT_SCHEMA_DEPTH = 1;

/**
 * Keywords an output schema keeps. Descriptions and examples are for inputs; enums and formats
 * are dropped so a new status value from NeonPanel is not refused by clients that validate
 * structured results (drift is counted by the bridge against the full document schema instead).
 */
const KEPT = new Set(['type', 'properties', 'items']);

function compact(schema: JsonSchema, depth: number): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) if (KEPT.has(key)) out[key] = value;
  if (schema.properties) {
    if (depth >= OUTPUT_SCHEMA_DEPTH) delete out.properties;
    else {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties).map(([name, prop]) => [name, compact(prop, depth + 1)]),
      );
    }
  }
  if (schema.items) out.items = compact(schema.items, depth);
  return out;
}

/**
 * The tool's `outputSchema` from the operation's 2xx response schema: an object at the top (MCP
 * requires it), no `required` and no `additionalProperties: false`, so an answer with extra or
 * missing fields still validates in clients; only type changes count as drift.
 */
export function buildOutputSchema(response: JsonSchema | undefined): JsonSchemaObject | undefined {
  if (!response || (response.type !== 'object' && !response.properties)) return undefined;
  const compacted = compact(response, 0);
  return { ...compacted, type: 'object', properties: compacted.properties ?? {} };
}
