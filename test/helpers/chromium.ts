import { type Browser, chromium } from 'playwright-core';

/** The system's Chromium (no browser download at run time). */
const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (containers), and no background traffic: the browser talks to loopback only. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the system's headless Chromium for one test file; close it in `afterAll`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}
