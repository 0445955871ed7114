/** The architecture rules fail on deliberate violations, so layers.test.ts passing means something. */
import { describe, expect, it } from 'vitest';
import { describeViolation, type SourceFile, violations } from './rules.js';
import { sourceFacts } from './source-facts.js';

const found = (...files: SourceFile[]) => violations(files).map(describeViolation);

describe('sourceFacts', () => {
  it('finds every form of import with its line, and none in comments or strings', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "type F = import('./f.js').F;",
      "import g = require('./g.js');",
      "// import { h } from './h.js';",
      'const i = "import { i } from \'./i.js\'";',
    ].join('\n');
    expect(sourceFacts('x.ts', text).imports).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: './b.js', line: 2 },
      { specifier: './c.js', line: 3 },
      { specifier: './d.js', line: 4 },
      { specifier: './e.js', line: 5 },
      { specifier: './f.js', line: 6 },
      { specifier: './g.js', line: 7 },
    ]);
  });

  it('finds every way of reading the environment', () => {
    const text = [
      'const a = process.env.A;',
      "const b = process['env'];",
      'const { env } = process;',
      'const c = globalThis.process.env;',
      "import { env as d } from 'node:process';",
      '// process.env in a comment',
      "const e = 'process.env';",
      'const f = process.argv;',
    ].join('\n');
    expect(sourceFacts('x.ts', text).envReads.map((read) => read.line)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('violations', () => {
  it('fails src/mcp importing src/http, naming the file, the line and the import', () => {
    const file = {
      path: 'src/mcp/routes.ts',
      text: "import { x } from '../tools/index.js';\nimport { y } from '../http/app.js';",
    };
    expect(found(file)).toEqual(["src/mcp/routes.ts:2 → '../http/app.js' (src/mcp may not import src/http)"]);
  });

  it('fails an upward import at any depth, dynamic or type-only', () => {
    expect(
      found(
        { path: 'src/tools/deep/x.ts', text: "const m = await import('../../mcp/server.js');" },
        { path: 'src/config/index.ts', text: "import type { Logger } from '../telemetry/logger.js';" },
        { path: 'src/upstream/client.ts', text: "import { verify } from '../auth/verifier.js';" },
      ),
    ).toEqual([
      "src/tools/deep/x.ts:1 → '../../mcp/server.js' (src/tools may not import src/mcp)",
      "src/config/index.ts:1 → '../telemetry/logger.js' (src/config may not import src/telemetry)",
      "src/upstream/client.ts:1 → '../auth/verifier.js' (src/upstream may not import src/auth)",
    ]);
  });

  it('lets a layer import itself and the layers below it, and packages', () => {
    const file = {
      path: 'src/http/app.ts',
      text: "import express from 'express';\nimport { a } from './body.js';\nimport { b } from '../mcp/routes.js';\nimport { c } from '../config/index.js';",
    };
    expect(found(file)).toEqual([]);
  });

  it('lets every service name the caller, and keeps src/caller importing nothing of src/', () => {
    expect(
      found(
        { path: 'src/auth/x.ts', text: "import type { Caller } from '../caller/index.js';" },
        { path: 'src/upstream/x.ts', text: "import type { Caller } from '../caller/index.js';" },
        { path: 'src/tools/x.ts', text: "import type { Caller } from '../caller/index.js';" },
        { path: 'src/mcp/x.ts', text: "import type { Caller } from '../caller/index.js';" },
        {
          path: 'src/caller/index.ts',
          text: "import type { ToolView } from '../tools/index.js';\nimport type { Config } from '../config/index.js';",
        },
      ),
    ).toEqual([
      "src/caller/index.ts:1 → '../tools/index.js' (src/caller may not import src/tools)",
      "src/caller/index.ts:2 → '../config/index.js' (src/caller may not import src/config)",
    ]);
  });

  it('fails the doctor importing the bridge, and the CLI importing its internals', () => {
    expect(
      found(
        { path: 'src/doctor/checks/x.ts', text: "import { a } from '../../auth/verifier.js';" },
        {
          path: 'src/cli/run.ts',
          text: "import { a } from '../doctor/index.js';\nimport { b } from '../http/app.js';",
        },
      ),
    ).toEqual([
      "src/doctor/checks/x.ts:1 → '../../auth/verifier.js' (src/doctor may not import src/auth)",
      "src/cli/run.ts:2 → '../http/app.js' (src/cli may not import src/http)",
    ]);
  });

  it('fails a src/ folder missing from the layer table, and src/ importing sandbox/ or test/', () => {
    expect(
      found(
        { path: 'src/extra/x.ts', text: "import { a } from '../config/index.js';" },
        {
          path: 'src/auth/x.ts',
          text: "import { a } from '../../sandbox/index.js';\nimport { b } from '../../test/helpers/net.js';",
        },
      ),
    ).toEqual([
      "src/extra/x.ts:1 → '../config/index.js' (src/extra has no place in the layer table)",
      "src/auth/x.ts:1 → '../../sandbox/index.js' (src/ imports only src/, not sandbox/)",
      "src/auth/x.ts:2 → '../../test/helpers/net.js' (src/ imports only src/, not test/)",
    ]);
  });

  it('fails sandbox/ importing src/ and bench/ importing test/', () => {
    expect(
      found(
        { path: 'sandbox/as/token.ts', text: "import { a } from '../../src/auth/verifier.js';" },
        { path: 'bench/setup.ts', text: "import { freePort } from '../test/helpers/net.js';" },
      ),
    ).toEqual([
      "sandbox/as/token.ts:1 → '../../src/auth/verifier.js' (sandbox/ imports only sandbox/)",
      "bench/setup.ts:1 → '../test/helpers/net.js' (bench/ may not import test/)",
    ]);
  });

  it('fails a read of process.env outside src/config, wherever it is', () => {
    const text = "const port = process.env['PORT'];";
    expect(found({ path: 'src/config/index.ts', text }, { path: 'sandbox/main.ts', text })).toEqual([]);
    expect(
      found({ path: 'src/main.ts', text }, { path: 'scripts/demo.ts', text }, { path: 'sandbox/index.ts', text }),
    ).toEqual([
      "src/main.ts:1 → process.env (only src/config reads the environment, and sandbox/main.ts the sandbox's: use processEnv())",
      "scripts/demo.ts:1 → process.env (only src/config reads the environment, and sandbox/main.ts the sandbox's: use processEnv())",
      "sandbox/index.ts:1 → process.env (only src/config reads the environment, and sandbox/main.ts the sandbox's: use processEnv())",
    ]);
  });

  it('leaves test files alone: they may import what they test', () => {
    expect(
      found(
        { path: 'src/mcp/routes.test.ts', text: "import { a } from '../http/app.js';\nconst b = process.env.B;" },
        { path: 'bench/report.test.ts', text: "import { a } from '../test/helpers/markdown-table.js';" },
      ),
    ).toEqual([]);
  });
});
