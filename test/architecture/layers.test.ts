/**
 * The build fails when an import runs against the layers of docs/architecture.md or something besides
 * src/config reads the environment. Each failure lists `file:line → import` (the rules: ./rules.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeViolation, type RuleName, SRC_LAYERS, type SourceFile, srcLayer, violations } from './rules.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(folder: string): SourceFile[] {
  return readdirSync(`${ROOT}${folder}`, { recursive: true, encoding: 'utf8' })
    .map((name) => `${folder}/${name.replaceAll('\\', '/')}`)
    .filter((path) => /\.[cm]?[jt]s$/.test(path) && !path.includes('/node_modules/'))
    .map((path) => ({ path, text: readFileSync(`${ROOT}${path}`, 'utf8') }));
}

const found = violations(['src', 'sandbox', 'bench', 'scripts', 'bin'].flatMap(sources));

function listed(rule: RuleName, where: (file: string) => boolean = () => true): string[] {
  return found.filter((v) => v.rule === rule && where(v.file)).map(describeViolation);
}

describe('the import graph points one way', () => {
  it('reads a real tree: src/ has files in every layer of the table', () => {
    const layers = new Set(sources('src').map((file) => srcLayer(file.path)));
    expect([...layers].filter((layer) => layer !== undefined && !(layer in SRC_LAYERS))).toEqual([]);
    expect(Object.keys(SRC_LAYERS).filter((layer) => !layers.has(layer))).toEqual([]);
  });

  it.each(Object.keys(SRC_LAYERS))('src/%s imports only the layers below it', (layer) => {
    expect(listed('layers', (file) => srcLayer(file) === layer)).toEqual([]);
  });

  it('sandbox/ imports nothing outside sandbox/ (and src/ never imports sandbox/: see the layers above)', () => {
    expect(listed('sandbox-alone')).toEqual([]);
  });

  it('bench/ does not import test/', () => {
    expect(listed('bench-without-test')).toEqual([]);
  });

  it('only src/config reads process.env', () => {
    expect(listed('env-in-config')).toEqual([]);
  });
});
