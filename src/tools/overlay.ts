import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../openapi/package-root.js';

/** The curated overlay, relative to the package root (read at build time into the tool catalog). */
export const OVERLAY_FILE = 'src/tools/overlay.yaml';

const parameterOverlay = z.strictObject({
  description: z.string().min(1).optional(),
  examples: z.array(z.unknown()).min(1).optional(),
  /** Arguments that must be given together with this one (rules the document states only in prose). */
  requiresArguments: z.array(z.string()).min(1).optional(),
});

const toolOverlay = z.strictObject({
  title: z.string().min(1).optional(),
  description: z.string().min(1).optional(),
  parameters: z.record(z.string(), parameterOverlay).optional(),
  // No readOnlyHint: it is true exactly when the operation is a GET (../shared/interface.md "Tools").
  annotations: z
    .strictObject({
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional(),
});

const linkTemplate = z.string().regex(/^\//, 'must be a path starting with "/"');

const overlaySchema = z.strictObject({
  /** Argument descriptions shared by every tool that has the argument; a tool's own entry wins. */
  parameters: z.record(z.string(), parameterOverlay).default({}),
  tools: z.record(z.string(), toolOverlay),
  links: z.strictObject({ company: linkTemplate, warehouse: linkTemplate, inventory: linkTemplate }),
});

export type ParameterOverlay = z.infer<typeof parameterOverlay>;
export type ToolOverlay = z.infer<typeof toolOverlay>;
/**
 * What the API document lacks, as data: shared argument descriptions; per operationId (or `search`/`fetch`) a title, a
 * description written for a model, per-argument descriptions and examples, annotation overrides;
 * and the NeonPanel web paths `search`/`fetch` cite.
 */
export type Overlay = z.infer<typeof overlaySchema>;

/** Parses and checks overlay YAML; the error names the file and every bad field. */
export function parseOverlay(text: string, source: string): Overlay {
  const result = overlaySchema.safeParse(YAML.parse(text));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${source} is not a valid tool overlay: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Loads the bundled overlay file. */
export function loadOverlay(path: string = join(packageRoot(), OVERLAY_FILE)): Overlay {
  return parseOverlay(readFileSync(path, 'utf8'), path);
}
