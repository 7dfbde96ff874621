// Debian's Chromium driven by playwright-core, set up the way this machine needs it: headless,
// no sandbox (CI runs as root), no GPU, and no background networking, which would otherwise try
// to reach Google's hosts at every start. Each launch gets a fresh, empty profile: playwright
// makes a new user-data-dir for every launch() and removes it on close.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SKILL_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumAvailable = () => fs.existsSync(CHROMIUM_PATH);

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
