import type { JsonSchema, Operation, OperationParameter } from '../openapi/index.js';
import type { ParameterOverlay } from './overlay.js';

/** A tool's input schema: always an object with properties, never a combinator at the top. */
export interface JsonSchemaObject extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
}

/** The argument that carries a raw file body, base64-encoded (models cannot send bytes). */
export const CONTENT_BASE64_ARGUMENT = 'content_base64';

/** One way of sending the request body that a model can use. */
export type BodyPlan =
  | {
      kind: 'json';
      contentType: string;
      /** Tool argument name → body field name (they differ only when a field collides with a parameter). */
      fields: Record<string, string>;
      /** Tool argument names this variant requires. */
      required: string[];
    }
  | { kind: 'binary'; contentType: string; argument: string };

/** How a tool's arguments become the request: which go to the path, the query, the body. */
export interface ArgumentPlan {
  path: OperationParameter[];
  query: OperationParameter[];
  /** Usable body variants, preferred first; empty when the operation takes no body. */
  bodies: BodyPlan[];
  /** Whether some body variant must be given. */
  bodyRequired: boolean;
  /** Content types of the document a model cannot use through the bridge (e.g. multipart). */
  unsupportedBodies: string[];
}

function isBinary(schema: JsonSchema): boolean {
  return schema.type === 'string' && (schema['format'] === 'binary' || schema['format'] === 'byte');
}

/**
 * Gives every schema node a `type` (Gemini skips tools with untyped properties) inferred from its
 * keywords, with `string` as the last resort.
 */
function withTypes(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (out.type === undefined) {
    if (out.properties) out.type = 'object';
    else if (out.items) out.type = 'array';
    else if (Array.isArray(out.enum) && out.enum.length > 0) out.type = typeof out.enum[0];
    else out.type = 'string';
  }
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([name, prop]) => [name, withTypes(prop)]));
  }
  if (out.items) out.items = withTypes(out.items);
  return out;
}

/**
 * A body field's nested schema with the overlay's argument descriptions applied to its properties
 * at every depth (`details[].service_id` reads like the `service_id` argument), and the items' own
 * description dropped where the array already says what its items are.
 */
function describeNested(schema: JsonSchema, overlays: Readonly<Record<string, ParameterOverlay>>): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, prop]) => {
        const description = overlays[name]?.description;
        return [name, describeNested(description ? { ...prop, description } : prop, overlays)];
      }),
    );
  }
  if (out.items) {
    const { description: itemsDescription, ...items } = out.items;
    out.items = describeNested(out.description ? items : out.items, overlays);
    if (!out.description && itemsDescription) out.items.description = itemsDescription;
  }
  return out;
}

function parameterSchema(param: OperationParameter, overlay: ParameterOverlay | undefined): JsonSchema {
  const { description: schemaDescription, ...schema } = param.schema;
  const description = overlay?.description ?? param.description ?? schemaDescription;
  // An array parameter's own description says what its items are; the items' copy is noise.
  if (description && schema.items?.description) {
    const { description: _itemDescription, ...items } = schema.items;
    schema.items = items;
  }
  return withTypes({
    ...schema,
    ...(description ? { description } : {}),
    ...(overlay?.examples ? { examples: overlay.examples } : {}),
  });
}

/**
 * Builds the input schema and the argument plan of an operation tool: path, query and header
 * parameters under their document names, JSON body fields flattened beside them, and a raw file
 * body (e.g. `application/pdf`) as `content_base64`. Multipart bodies are left out: a model cannot
 * build one, and the same operation always offers a simpler variant in NeonPanel's document.
 */
export function buildInput(
  operation: Operation,
  overlays: Readonly<Record<string, ParameterOverlay>> = {},
): { schema: JsonSchemaObject; plan: ArgumentPlan } {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const plan: ArgumentPlan = {
    path: [],
    query: [],
    bodies: [],
    bodyRequired: operation.requestBody?.required ?? false,
    unsupportedBodies: [],
  };
  for (const param of operation.parameters) {
    // Header and cookie parameters are not the model's to set: the bridge forwards only the token.
    if (param.in !== 'path' && param.in !== 'query') continue;
    plan[param.in].push(param);
    properties[param.name] = parameterSchema(param, overlays[param.name]);
    if (param.required) required.push(param.name);
  }
  const parameterNames = new Set(Object.keys(properties));
  const variants = operation.requestBody?.variants ?? [];
  for (const variant of variants) {
    if (/^application\/([a-z0-9.+-]*\+)?json\b/i.test(variant.contentType) && variant.schema.properties) {
      const fields: Record<string, string> = {};
      for (const [field, fieldSchema] of Object.entries(variant.schema.properties)) {
        const argument = parameterNames.has(field) ? `body_${field}` : field;
        fields[argument] = field;
        const overlay = overlays[argument];
        properties[argument] = withTypes(
          describeNested(
            {
              ...fieldSchema,
              ...(overlay?.description ? { description: overlay.description } : {}),
              ...(overlay?.examples ? { examples: overlay.examples } : {}),
            },
            overlays,
          ),
        );
      }
      const bodyRequired = (variant.schema.required ?? []).map(
        (field) => Object.entries(fields).find(([, f]) => f === field)?.[0] ?? field,
      );
      plan.bodies.push({ kind: 'json', contentType: variant.contentType, fields, required: bodyRequired });
    } else if (!/^multipart\//i.test(variant.contentType) && isBinary(variant.schema)) {
      const overlay = overlays[CONTENT_BASE64_ARGUMENT];
      properties[CONTENT_BASE64_ARGUMENT] = {
        type: 'string',
        contentEncoding: 'base64',
        contentMediaType: variant.contentType,
        description: overlay?.description ?? `The file's bytes, base64-encoded; sent as ${variant.contentType}.`,
      };
      plan.bodies.push({ kind: 'binary', contentType: variant.contentType, argument: CONTENT_BASE64_ARGUMENT });
    } else {
      plan.unsupportedBodies.push(variant.contentType);
    }
  }
  // With one usable body the body's own required fields are required of the tool; with several,
  // which one applies depends on what the caller sends, and the call checks that instead (a
  // top-level oneOf would be refused by Anthropic and Gemini).
  const onlyBody = plan.bodies.length === 1 ? plan.bodies[0] : undefined;
  if (plan.bodyRequired && onlyBody?.kind === 'json') required.push(...onlyBody.required);
  if (plan.bodyRequired && onlyBody?.kind === 'binary') required.push(onlyBody.argument);
  const schema: JsonSchemaObject = {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required: [...new Set(required)] } : {}),
    additionalProperties: false,
  };
  return { schema, plan };
}
