/**
 * Tool-definition lint driven by the client profiles' rules (profiles.json): names, schema shapes,
 * annotations, counts and size. Pure: tools in, problems out.
 */
import type { ToolRule } from './profiles.js';
import type { DoctorTool } from './types.js';

export interface LintProblem {
  tool: string | undefined;
  rule: ToolRule['rule'];
  severity: 'warn' | 'fail';
  message: string;
  /** One sentence saying what to change. */
  fix: string;
  source: string;
}

type Schema = Record<string, unknown>;

const COMBINATORS = ['anyOf', 'oneOf', 'allOf'] as const;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Visits every subschema with a JSON-pointer-like path (properties, items, combinators, $defs). */
function walk(schema: Schema, path: string, visit: (s: Schema, path: string) => void): void {
  visit(schema, path);
  const props = schema['properties'];
  if (isSchema(props)) {
    for (const [name, sub] of Object.entries(props)) if (isSchema(sub)) walk(sub, `${path}.${name}`, visit);
  }
  const items = schema['items'];
  if (isSchema(items)) walk(items, `${path}[]`, visit);
  for (const key of COMBINATORS) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const [i, sub] of list.entries()) if (isSchema(sub)) walk(sub, `${path}.${key}[${i}]`, visit);
  }
  const extra = schema['additionalProperties'];
  if (isSchema(extra)) walk(extra, `${path}{}`, visit);
}

/** Problems of one tool under one per-tool rule. */
function lintTool(tool: DoctorTool, rule: ToolRule): Omit<LintProblem, 'tool' | 'rule' | 'severity' | 'source'>[] {
  const name = tool.name;
  const schema = isSchema(tool.inputSchema) ? tool.inputSchema : {};
  const why = rule.why ? ` (${rule.why})` : '';
  switch (rule.rule) {
    case 'tool-name': {
      if (new RegExp(rule.pattern).test(name)) return [];
      const suggestion = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40);
      return [
        {
          message: `name "${name}" does not match ${rule.pattern}`,
          fix: `Rename tool "${name}" to match ${rule.pattern}, for example "${suggestion}"${why}.`,
        },
      ];
    }
    case 'no-top-level-combinators': {
      const found = COMBINATORS.filter((k) => k in schema);
      if (found.length === 0) return [];
      return [
        {
          message: `inputSchema of "${name}" has ${found.join(', ')} at the top level`,
          fix: `Replace the top-level ${found[0]} in "${name}"'s inputSchema with one object of optional properties${why}.`,
        },
      ];
    }
    case 'no-refs': {
      const text = JSON.stringify(schema);
      if (!text.includes('"$ref"') && !text.includes('"$defs"') && !text.includes('"definitions"')) return [];
      return [
        {
          message: `inputSchema of "${name}" uses $ref/$defs`,
          fix: `Inline every $ref and drop $defs in "${name}"${why}.`,
        },
      ];
    }
    case 'no-unions': {
      const found: string[] = [];
      walk(schema, '', (s, path) => {
        if (path === '') return;
        if (Array.isArray(s['type'])) found.push(`${path.slice(1)} (type ${JSON.stringify(s['type'])})`);
        else if (COMBINATORS.some((k) => k in s)) found.push(`${path.slice(1)} (${COMBINATORS.find((k) => k in s)})`);
      });
      if (found.length === 0) return [];
      return [
        {
          message: `"${name}" has union types at ${found.join(', ')}`,
          fix: `Give ${found[0]!.split(' ')[0]} in "${name}" a single type${why}.`,
        },
      ];
    }
    case 'typed-properties': {
      const untyped: string[] = [];
      walk(schema, '', (s, path) => {
        if (path === '' || /\.(anyOf|oneOf|allOf)\[\d+\]$/.test(path)) return;
        if (!('type' in s) && !('enum' in s) && !('const' in s) && !COMBINATORS.some((k) => k in s))
          untyped.push(path.slice(1));
      });
      if (untyped.length === 0) return [];
      return [
        {
          message: `"${name}" has properties without a type: ${untyped.join(', ')}`,
          fix: `Give property ${untyped[0]} of "${name}" a type${why}.`,
        },
      ];
    }
    case 'annotations': {
      const annotations = tool.annotations ?? {};
      const missing = rule.required.filter((key) =>
        key === 'title' ? !tool.title && annotations['title'] === undefined : annotations[key] === undefined,
      );
      if (missing.length === 0) return [];
      return [
        {
          message: `"${name}" lacks ${missing.join(', ')}`,
          fix: `Add ${missing.join(', ')} to "${name}"'s annotations${why}.`,
        },
      ];
    }
    default:
      return [];
  }
}

/** Lints the whole tool list under `rules`: per-tool rules for each tool, then count and size. */
export function lintTools(tools: readonly DoctorTool[], rules: readonly ToolRule[], listBytes: number): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const rule of rules) {
    const base = { rule: rule.rule, severity: rule.severity, source: rule.source };
    if (rule.rule === 'max-tools') {
      if (tools.length > rule.max) {
        problems.push({
          ...base,
          tool: undefined,
          message: `${tools.length} tools, more than ${rule.max}`,
          fix: `Expose at most ${rule.max} tools${rule.why ? ` (${rule.why})` : ''}.`,
        });
      }
      continue;
    }
    if (rule.rule === 'max-list-bytes') {
      if (listBytes > rule.max) {
        problems.push({
          ...base,
          tool: undefined,
          message: `tools/list is ${listBytes} bytes, more than ${rule.max}`,
          fix: `Shorten descriptions and schemas until tools/list is under ${rule.max} bytes${rule.why ? ` (${rule.why})` : ''}.`,
        });
      }
      continue;
    }
    for (const tool of tools) {
      for (const problem of lintTool(tool, rule)) problems.push({ ...base, tool: tool.name, ...problem });
    }
  }
  return problems;
}
