/**
 * @file Headless Chromium for the browser tests and `npm run bench -- browser`: Debian's
 * `chromium` driven by playwright-core (which downloads no browser of its own).
 *
 * This machine has no network, so Chromium's background services (updates, sync, QUIC
 * probes) are switched off; each launch gets a fresh profile folder, removed on close.
 * WebGL runs on SwiftShader (the CPU rasteriser) since `--disable-gpu` leaves no GPU path;
 * Chromium 14x+ only falls back to it when told the fallback is acceptable.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where `apt-get install chromium` puts the browser (overridden by LATENTKIT_CHROMIUM). */
export const CHROMIUM_PATH = process.env.LATENTKIT_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every launch uses (see the file comment). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** True when the browser binary exists (the browser tests are skipped, with a reason, when not). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A running browser with one page; `close()` ends the process and removes its profile. */
export interface ChromiumSession {
  context: BrowserContext;
  page: Page;
  /** Console lines and page errors seen so far (for assertion messages). */
  log: string[];
  close(): Promise<void>;
}

/** Options of {@link launchChromium}. */
export interface LaunchOptions {
  /** Viewport size in CSS pixels. @default 1280x800 */
  width?: number;
  height?: number;
}

/**
 * Starts Chromium with a fresh profile and opens one page.
 * @param options - viewport size.
 * @returns the session; close it in `afterAll`.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  const profile = await mkdtemp(join(tmpdir(), 'lk-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes a profile folder of our choosing
    // (--user-data-dir in args is refused by chromium.launch).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      deviceScaleFactor: 1,
      timeout: 60_000,
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    log,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
