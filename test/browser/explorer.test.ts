/**
 * The latent explorer in headless Chromium: two code sets served by the explorer server;
 * the scatter is checked on screenshot pixels (each label's colour drawn, in separate
 * places), a click on a point shows that row and its nearest neighbours, search selects
 * by label, and UMAP draws the same clusters.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeSet, startExplorerServer, type ExplorerServer } from '@latentkit/explorer';
import { chromiumAvailable, launchChromium, type ChromiumSession } from './chromium.js';
import { writeClusters, type ClusterSet } from './fixtures.js';

/** Colours of the three most common labels (labels.ts PALETTE[0..2]). */
const COLOURS: [number, number, number][] = [
  [0x1f, 0x77, 0xb4],
  [0xff, 0x7f, 0x0e],
  [0x2c, 0xa0, 0x2c],
];

interface ColourStats {
  count: number;
  cx: number;
  cy: number;
}

/** Pixels within a small distance of each colour, and where they sit. */
async function colourStats(png: Buffer): Promise<{ stats: ColourStats[]; white: number; total: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const stats = COLOURS.map(() => ({ count: 0, cx: 0, cy: 0 }));
  let white = 0;
  for (let p = 0; p < info.width * info.height; p++) {
    const [r, g, b] = [data[3 * p], data[3 * p + 1], data[3 * p + 2]];
    if (r > 245 && g > 245 && b > 245) white++;
    COLOURS.forEach(([cr, cg, cb], k) => {
      if (Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) < 40) {
        stats[k].count++;
        stats[k].cx += p % info.width;
        stats[k].cy += Math.floor(p / info.width);
      }
    });
  }
  for (const s of stats) if (s.count > 0) [s.cx, s.cy] = [s.cx / s.count, s.cy / s.count];
  return { stats, white, total: info.width * info.height };
}

type Handle = {
  ready: boolean;
  error?: string;
  selected: number;
  sets: { name: string; n: number }[];
  neighbours?: { within: { indices: Record<string, number> }; across: { set: number; indices: Record<string, number> }[]; ms: number };
  timings: Record<string, number>;
  screenPosition(row: number): [number, number] | undefined;
  setProjection(p: string): Promise<void>;
};
declare const latentExplorer: Handle;

// Skipped only off CI without a browser: .ci/run installs Chromium, so there it must run.
describe.skipIf(!chromiumAvailable() && !process.env.CI)('latent explorer in Chromium', () => {
  let dir: string;
  let a: ClusterSet;
  let server: ExplorerServer;
  let chrome: ChromiumSession;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lk-explorer-'));
    a = await writeClusters(dir, 'digits', [1200, 1000, 800], 32, 1);
    const b = await writeClusters(dir, 'voices', [300, 300], 32, 2);
    server = await startExplorerServer({ sets: [await readCodeSet({ codes: a.codes }), await readCodeSet({ codes: b.codes })] });
    chrome = await launchChromium({ width: 1200, height: 800 });
    await chrome.page.goto(`${server.url}?umap=500`);
    await chrome.page.waitForFunction(() => latentExplorer.ready || latentExplorer.error !== undefined, null, { timeout: 60_000 });
  });

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens both sets and draws each label in its colour, in separate places (screenshot pixels)', async () => {
    const handle = await chrome.page.evaluate(() => ({ error: latentExplorer.error, sets: latentExplorer.sets, pca: latentExplorer.timings.pca }));
    expect(handle.error, chrome.log.join('\n')).toBeUndefined();
    expect(handle.sets.map((s) => [s.name, s.n])).toEqual([
      ['digits', 3000],
      ['voices', 600],
    ]);
    expect(handle.pca).toBeGreaterThan(0);
    const { stats, white, total } = await colourStats(await chrome.page.locator('#plot').screenshot());
    // Each cluster covers a visible patch; clusters are 8 spreads apart in code space, so
    // their patches' centres must be far apart on screen too.
    for (const s of stats) expect(s.count).toBeGreaterThan(200);
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) expect(Math.hypot(stats[i].cx - stats[j].cx, stats[i].cy - stats[j].cy)).toBeGreaterThan(40);
    }
    expect(white / total).toBeGreaterThan(0.5);
  });

  it('a click on a point shows that row and its nearest neighbours, in its own set and the other', async () => {
    const row = 1; // label '1'
    const pos = await chrome.page.evaluate((r) => latentExplorer.screenPosition(r), row);
    expect(pos).toBeDefined();
    const box = (await chrome.page.locator('#plot').boundingBox())!;
    await chrome.page.mouse.move(box.x + pos![0], box.y + pos![1]);
    await chrome.page.mouse.click(box.x + pos![0], box.y + pos![1]);
    await chrome.page.waitForFunction(() => latentExplorer.selected >= 0 && latentExplorer.neighbours !== undefined, null, { timeout: 30_000 });
    const got = await chrome.page.evaluate(() => ({ selected: latentExplorer.selected, n: latentExplorer.neighbours! }));
    // The click lands on the drawn point nearest the cursor: the same cluster.
    expect(a.labels[got.selected]).toBe('1');
    const within = Object.values(got.n.within.indices);
    expect(within).toHaveLength(10);
    for (const r of within) expect(a.labels[r]).toBe('1');
    expect(got.n.across.map((x) => x.set)).toEqual([1]);
    await expect.poll(() => chrome.page.locator('#details').innerText()).toContain(`digits/1/item-${got.selected}.png`);
  });

  it('search selects rows by label and by file name', async () => {
    await chrome.page.fill('#search', 'label:2');
    await expect.poll(() => chrome.page.locator('#status').innerText()).toContain('800 rows match');
    await chrome.page.fill('#search', 'item-17.png');
    await expect.poll(() => chrome.page.locator('#status').innerText()).toContain('1 rows match');
  });

  it('lays the same clusters out by UMAP', async () => {
    await chrome.page.evaluate(() => latentExplorer.setProjection('umap'));
    const umapMs = await chrome.page.evaluate(() => latentExplorer.timings.umap);
    expect(umapMs).toBeGreaterThan(0);
    const { stats } = await colourStats(await chrome.page.locator('#plot').screenshot());
    for (const s of stats) expect(s.count).toBeGreaterThan(50);
    await expect.poll(() => chrome.page.locator('#status').innerText()).toMatch(/UMAP of a random 500 of 3,000 rows/);
  });
});
