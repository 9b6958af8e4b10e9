import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: never a browser a tool downloads itself. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_MISSING = `${CHROMIUM} is not installed (apt-get install chromium)`;
const chromiumInstalled = existsSync(CHROMIUM);

/**
 * Whether a browser test runs here: with Chromium installed, and always on CI, which installs it —
 * there a missing browser fails the suite rather than skipping it. Says why when it skips.
 */
export function browserTestRuns(name: string): boolean {
  const runs = chromiumInstalled || process.env.CI === 'true';
  if (!runs) console.warn(`Skipping the ${name}: ${CHROMIUM_MISSING}`);
  return runs;
}

/** Fails the suite at once (on CI) when Chromium is missing, before anything is started. */
export function assertChromiumInstalled(name: string): void {
  if (!chromiumInstalled) throw new Error(`${name} on CI: ${CHROMIUM_MISSING}`);
}

/**
 * Headless Chromium with the flags this machine needs: no sandbox as root, and no background
 * networking (its connections are refused here, many at a time).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
