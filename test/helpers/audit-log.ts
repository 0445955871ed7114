import { readFileSync } from 'node:fs';

/** The JSON lines of the bridge's audit log at `file`, none while it does not exist yet. */
export function readAuditLines(file: string): Array<Record<string, unknown>> {
  let raw = '';
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return raw
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
