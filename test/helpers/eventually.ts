/**
 * Polls until `check` passes. Without a deadline the test's timeout bounds it; with one, it fails
 * with `failure` so a broken behaviour is named instead of timing out the test.
 */
export async function eventually(
  check: () => Promise<boolean>,
  intervalMs = 100,
  bound?: { deadlineMs: number; failure: string },
): Promise<void> {
  const deadline = bound ? Date.now() + bound.deadlineMs : Number.POSITIVE_INFINITY;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(bound?.failure);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
