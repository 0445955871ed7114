import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** What the person did on the sandbox's consent page, and the page the redirect landed on. */
export interface ConsentOutcome {
  /** The client's callback page, after the redirect. */
  page: Page;
  /** How the consent page named the user that was picked ("Bob Brown (bob, 1 company)"). */
  label: string;
}

/**
 * Plays the person at the sandbox's sign-in: opens the authorization URL a client printed, checks that the
 * page names `clientName`, picks `user`, presses `decision` and waits for the redirect to the client's
 * `/oauth/callback`. Close the returned page when done.
 */
export async function answerConsent(
  browser: Browser,
  url: string,
  user: string,
  decision: 'approve' | 'deny',
  clientName: string,
): Promise<ConsentOutcome> {
  const page = await browser.newPage();
  await page.goto(url);
  await expect(page.title()).resolves.toBe('NeonPanel sandbox: sign in');
  await expect(page.locator('body').textContent()).resolves.toContain(`${clientName} asks to use your NeonPanel data`);
  const label = (await page.locator(`label:has(input[value="${user}"])`).textContent())?.trim() ?? '';
  await page.check(`input[name="user"][value="${user}"]`);
  await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click(`button[value="${decision}"]`)]);
  return { page, label };
}
