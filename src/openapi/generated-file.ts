import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes a generated file (the tool catalog, the views) only when its text changed, so an unchanged
 * build leaves the source tree untouched.
 */
export function writeGeneratedFile(path: string, text: string): void {
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined; // first build
  }
  if (current !== text) writeFileSync(path, text);
}
