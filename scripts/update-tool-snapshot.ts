/**
 * Rewrites test/snapshots/tools-list.json from the tools the bridge builds now (the bundled API
 * document plus src/tools/overlay.yaml). Commit the snapshot together with the change that caused it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/openapi/index.js';
import { TOOLS_LIST_BUDGET_BYTES, toolsListBytes } from '../src/tools/list-size.js';
import { SNAPSHOT_FILE, snapshotToolsList } from '../test/integration/tools/snapshot.js';

const list = await snapshotToolsList();
const path = join(packageRoot(), SNAPSHOT_FILE);
await writeFile(path, `${JSON.stringify(list, null, 2)}\n`);
console.log(
  `wrote ${path}: ${list.tools.length} tools, ${toolsListBytes(list.tools)} bytes as served (budget ${TOOLS_LIST_BUDGET_BYTES})`,
);
