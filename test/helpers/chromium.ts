/**
 * Headless Chromium for tests that check pages as a person would: Debian's
 * /usr/bin/chromium driven by playwright-core (which never downloads a
 * browser of its own). Tests skip with `chromiumSkip` where it is missing;
 * .ci/run installs it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** `false` when Chromium is installed, else the reason a test is skipped. */
export const chromiumSkip: false | string = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does this)`;

/** Where tests leave screenshots for a human to look at (gitignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../.tmp/screenshots/', import.meta.url));

// This machine has no internet: without the background-networking flags
// Chromium keeps trying Google's services and its connections are refused.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchOptions {
  /** A fresh, empty profile folder. */
  readonly profileDir: string;
  /** Send every request through this HTTP proxy, with these credentials (Basic). */
  readonly proxy?: { readonly server: string; readonly username?: string; readonly password?: string };
}

export async function launchChromium(options: LaunchOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(options.profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 900 },
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
  });
}
