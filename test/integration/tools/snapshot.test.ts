import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../../src/openapi/index.js';
import { SNAPSHOT_FILE, snapshotToolsList } from './snapshot.js';

it('the committed tools/list snapshot matches the tools the bridge builds', async () => {
  const committed = JSON.parse(readFileSync(join(packageRoot(), SNAPSHOT_FILE), 'utf8'));
  const built = JSON.parse(JSON.stringify(await snapshotToolsList()));
  expect(
    built,
    `The tools changed (API document or src/tools/overlay.yaml) but ${SNAPSHOT_FILE} did not. ` +
      'Review the change, run `npx tsx scripts/update-tool-snapshot.ts` and commit the snapshot with it.',
  ).toEqual(committed);
});
