import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../../src/openapi/index.js';
import { TOOLS_LIST_BUDGET_BYTES, toolsListBytes } from '../../../src/tools/list-size.js';
import { postMcp } from '../../helpers/mcp-post.js';
import { useStack } from '../../helpers/use-stack.js';
import { SNAPSHOT_FILE, snapshotToolsList } from './snapshot.js';

const committed = () => JSON.parse(readFileSync(join(packageRoot(), SNAPSHOT_FILE), 'utf8'));
const running = useStack();

it('the committed tools/list snapshot matches the tools the bridge builds', async () => {
  const built = JSON.parse(JSON.stringify(await snapshotToolsList()));
  expect(
    built,
    `The tools changed (API document or src/tools/overlay.yaml) but ${SNAPSHOT_FILE} did not. ` +
      'Review the change, run `npx tsx scripts/update-tool-snapshot.ts` and commit the snapshot with it.',
  ).toEqual(committed());
});

it('a client receives exactly the snapshot from tools/list, within the 64 KB budget as sent', async () => {
  const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  const response = await postMcp(`${running.stack.url}/messages`, running.token, request);
  expect(response.status).toBe(200);
  const text = await response.text();
  const { result } = JSON.parse(text) as { result: { tools: Parameters<typeof toolsListBytes>[0] } };
  expect(result).toEqual(committed());
  expect(toolsListBytes(result.tools)).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  // The answer on the wire is the result plus the JSON-RPC envelope, nothing more.
  expect(Buffer.byteLength(text) - toolsListBytes(result.tools)).toBeLessThan(100);
});
