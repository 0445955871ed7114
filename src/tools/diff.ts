import type { JsonSchema } from '../openapi/index.js';
import type { BridgeToolDefinition } from './types.js';

/** One difference a new API document would make to a tool. */
export interface ToolChange {
  tool: string;
  kind:
    | 'tool-added'
    | 'tool-removed'
    | 'parameter-added'
    | 'parameter-removed'
    | 'parameter-renamed'
    | 'parameter-type-changed'
    | 'parameter-now-required'
    | 'enum-value-added'
    | 'enum-value-removed'
    | 'output-field-removed';
  /** Human-readable detail naming the parameter / value. */
  detail: string;
  /** True when clients or models using the current tool would break. */
  breaking: boolean;
}

function typeOf(schema: JsonSchema | undefined): string {
  return JSON.stringify(schema?.type ?? null);
}

/** Every enum in a schema tree by dotted path (`grouping[]`, `file.kind`). */
function enumsOf(schema: JsonSchema | undefined, path: string, out: Map<string, unknown[]>): Map<string, unknown[]> {
  if (!schema) return out;
  if (Array.isArray(schema.enum)) out.set(path, schema.enum);
  for (const [name, prop] of Object.entries(schema.properties ?? {}))
    enumsOf(prop, path ? `${path}.${name}` : name, out);
  if (schema.items) enumsOf(schema.items, `${path}[]`, out);
  return out;
}

function diffEnums(tool: string, before: JsonSchema, after: JsonSchema, changes: ToolChange[]): void {
  const old = enumsOf(before, '', new Map());
  for (const [path, values] of enumsOf(after, '', new Map())) {
    const previous = old.get(path);
    if (!previous) continue;
    for (const value of values) {
      if (!previous.includes(value)) {
        changes.push({
          tool,
          kind: 'enum-value-added',
          detail: `"${path}" accepts new value ${JSON.stringify(value)}`,
          breaking: false,
        });
      }
    }
    for (const value of previous) {
      if (!values.includes(value)) {
        changes.push({
          tool,
          kind: 'enum-value-removed',
          detail: `"${path}" no longer accepts ${JSON.stringify(value)}`,
          breaking: true,
        });
      }
    }
  }
}

/**
 * What a tool is compared by: its listed definition and the top-level fields of the answer its
 * operation documents (tools publish no outputSchema, so these come from the catalog).
 */
export interface ComparableTool extends Pick<BridgeToolDefinition, 'name' | 'inputSchema'> {
  answerFields?: readonly string[];
}

function diffTool(before: ComparableTool, after: ComparableTool): ToolChange[] {
  const tool = after.name;
  const changes: ToolChange[] = [];
  const oldProps = before.inputSchema.properties;
  const newProps = after.inputSchema.properties;
  const oldRequired = new Set(before.inputSchema.required ?? []);
  const newRequired = new Set(after.inputSchema.required ?? []);
  const removed = Object.keys(oldProps).filter((name) => !(name in newProps));
  const added = Object.keys(newProps).filter((name) => !(name in oldProps));
  // A parameter that disappears while one of the same type appears is most likely a rename.
  for (const name of removed) {
    const match = added.find((candidate) => typeOf(newProps[candidate]) === typeOf(oldProps[name]));
    if (match) {
      added.splice(added.indexOf(match), 1);
      changes.push({ tool, kind: 'parameter-renamed', detail: `"${name}" is now "${match}"`, breaking: true });
    } else {
      changes.push({ tool, kind: 'parameter-removed', detail: `"${name}" was removed`, breaking: true });
    }
  }
  for (const name of added) {
    const required = newRequired.has(name);
    changes.push({
      tool,
      kind: 'parameter-added',
      detail: `"${name}" was added${required ? ' (required)' : ''}`,
      breaking: required,
    });
  }
  for (const [name, schema] of Object.entries(newProps)) {
    const old = oldProps[name];
    if (!old) continue;
    if (typeOf(old) !== typeOf(schema)) {
      changes.push({
        tool,
        kind: 'parameter-type-changed',
        detail: `"${name}" changed type from ${typeOf(old)} to ${typeOf(schema)}`,
        breaking: true,
      });
    }
    if (newRequired.has(name) && !oldRequired.has(name)) {
      changes.push({ tool, kind: 'parameter-now-required', detail: `"${name}" is now required`, breaking: true });
    }
  }
  diffEnums(tool, before.inputSchema, after.inputSchema, changes);
  for (const name of before.answerFields ?? []) {
    if (!after.answerFields?.includes(name)) {
      changes.push({
        tool,
        kind: 'output-field-removed',
        detail: `answer field "${name}" was removed`,
        breaking: true,
      });
    }
  }
  return changes;
}

/** What changes, per tool, between the tools of the current document and those of another. */
export function diffToolDefinitions(current: readonly ComparableTool[], next: readonly ComparableTool[]): ToolChange[] {
  const changes: ToolChange[] = [];
  const nextByName = new Map(next.map((tool) => [tool.name, tool]));
  const currentNames = new Set(current.map((tool) => tool.name));
  for (const tool of current) {
    const after = nextByName.get(tool.name);
    if (!after)
      changes.push({ tool: tool.name, kind: 'tool-removed', detail: 'the tool would disappear', breaking: true });
    else changes.push(...diffTool(tool, after));
  }
  for (const tool of next) {
    if (!currentNames.has(tool.name)) {
      changes.push({ tool: tool.name, kind: 'tool-added', detail: 'a new tool would appear', breaking: false });
    }
  }
  return changes;
}

/** The report `npm run openapi:check` prints: per tool, what would change. */
export function formatToolChanges(changes: readonly ToolChange[], toolNames: readonly string[]): string {
  const lines: string[] = [];
  const names = [...new Set([...toolNames, ...changes.map((c) => c.tool)])];
  for (const name of names) {
    const own = changes.filter((c) => c.tool === name);
    if (own.length === 0) {
      lines.push(`${name}: unchanged`);
      continue;
    }
    lines.push(`${name}:`);
    for (const change of own)
      lines.push(`  ${change.breaking ? 'BREAKING' : 'change  '} ${change.kind}: ${change.detail}`);
  }
  const breaking = changes.filter((c) => c.breaking).length;
  lines.push('', `${changes.length} change(s), ${breaking} breaking.`);
  return lines.join('\n');
}
