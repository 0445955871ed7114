/**
 * The project's import and environment rules (docs/architecture.md, AGENTS.md), as pure functions over
 * file paths and texts so that test/architecture/rules.test.ts can show each rule failing on a fixture.
 *
 * Rules apply to the code that ships or runs (src/, sandbox/, bench/, scripts/, bin/); test files
 * (`*.test.ts` and everything under test/) may import whatever they exercise.
 */
import { posix } from 'node:path';
import { sourceFacts } from './source-facts.js';

export interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

export interface Violation {
  rule: RuleName;
  file: string;
  line: number;
  detail: string;
}

export type RuleName = 'layers' | 'sandbox-alone' | 'bench-without-test' | 'env-in-config';

const BASE = ['config', 'telemetry', 'caller'];
const SERVICES = [...BASE, 'openapi', 'upstream', 'auth', 'state', 'prompts'];
const TOOLS = [...SERVICES, 'tools', 'apps'];
const MCP = [...TOOLS, 'mcp'];
const HTTP = [...MCP, 'http'];

/**
 * What each part of src/ may import besides itself: main → http → mcp → {tools, apps} →
 * {openapi, upstream, auth, state, prompts} → {telemetry, caller} → config. `caller` is the one type of
 * who is calling, which auth, upstream, tools and mcp all name; it imports nothing. `main` and `launch`
 * are src/main.ts and src/launch.ts. The doctor tests a bridge from outside, so it sees none of the
 * bridge's serving internals; the CLI runs the doctor, or the bridge through main's startBridge.
 */
export const SRC_LAYERS: Readonly<Record<string, readonly string[]>> = {
  config: [],
  caller: [],
  types: [],
  telemetry: ['config'],
  openapi: BASE,
  upstream: BASE,
  auth: BASE,
  state: BASE,
  prompts: BASE,
  tools: SERVICES,
  apps: SERVICES,
  mcp: TOOLS,
  http: MCP,
  main: HTTP,
  launch: [],
  doctor: ['config', 'telemetry', 'openapi'],
  cli: ['config', 'telemetry', 'doctor', 'main'],
};

/** The one file of the sandbox (a separate program that must not import src/config) that reads its settings. */
export const SANDBOX_ENV_READER = 'sandbox/main.ts';

export function isTestFile(path: string): boolean {
  return path.startsWith('test/') || /\.test\.[cm]?[jt]s$/.test(path);
}

/** The part of src/ a path belongs to: its first folder, or the file's own name for files at src/'s root. */
export function srcLayer(path: string): string | undefined {
  const [top, part, ...rest] = path.split('/');
  if (top !== 'src' || part === undefined) return undefined;
  return rest.length > 0 ? part : part.replace(/(\.d)?\.[cm]?[jt]s$/, '');
}

/** The repository-relative path a relative specifier points at, or undefined for a package import. */
function target(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return posix.normalize(posix.join(posix.dirname(from), specifier));
}

function topFolder(path: string): string {
  return path.split('/')[0]!;
}

function importViolations(file: SourceFile, imports: { specifier: string; line: number }[]): Violation[] {
  const violations: Violation[] = [];
  const from = topFolder(file.path);
  const layer = srcLayer(file.path);
  for (const { specifier, line } of imports) {
    const to = target(file.path, specifier);
    if (to === undefined) continue;
    const add = (rule: RuleName, why: string) =>
      violations.push({ rule, file: file.path, line, detail: `'${specifier}' (${why})` });
    if (from === 'src' && layer !== undefined) {
      const allowed = SRC_LAYERS[layer];
      const toLayer = srcLayer(to);
      if (allowed === undefined) add('layers', `src/${layer} has no place in the layer table`);
      else if (topFolder(to) !== 'src') add('layers', `src/ imports only src/, not ${topFolder(to)}/`);
      else if (toLayer !== layer && !allowed.includes(toLayer!)) {
        add('layers', `src/${layer} may not import src/${toLayer}`);
      }
    }
    if (from === 'sandbox' && topFolder(to) !== 'sandbox') add('sandbox-alone', 'sandbox/ imports only sandbox/');
    if (from === 'bench' && topFolder(to) === 'test') add('bench-without-test', 'bench/ may not import test/');
  }
  return violations;
}

function envViolations(file: SourceFile, reads: { line: number; text: string }[]): Violation[] {
  const allowed = file.path.startsWith('src/config/') || file.path === SANDBOX_ENV_READER;
  if (allowed) return [];
  return reads.map(({ line, text }) => ({
    rule: 'env-in-config',
    file: file.path,
    line,
    detail: `${text} (only src/config reads the environment, and ${SANDBOX_ENV_READER} the sandbox's: use processEnv())`,
  }));
}

const CHECKED = ['src', 'sandbox', 'bench', 'scripts', 'bin'];

/** Every violation in `files`, in file order. */
export function violations(files: readonly SourceFile[]): Violation[] {
  return files
    .filter((file) => CHECKED.includes(topFolder(file.path)) && !isTestFile(file.path))
    .flatMap((file) => {
      const facts = sourceFacts(file.path, file.text);
      return [...importViolations(file, facts.imports), ...envViolations(file, facts.envReads)];
    });
}

/** `file:line → detail`, the form the test prints. */
export function describeViolation(violation: Violation): string {
  return `${violation.file}:${violation.line} → ${violation.detail}`;
}
