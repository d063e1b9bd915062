import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium, which `.ci/run` installs when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests run here: they need chromium. Without it they skip with this reason,
 * except in CI (CI=true), where a missing browser fails them.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} not found: the browser tests are skipped (apt-get install -y chromium to run them)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true, so this fails instead`);
  return reason;
}

/**
 * A headless chromium with a fresh profile that cannot reach the network on its own (no
 * background updates, sync or QUIC). Close it with `close()`, which also removes the profile.
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'weft-chromium-'));
  // Playwright takes the profile folder itself (it refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
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
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
