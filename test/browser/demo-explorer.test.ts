/**
 * The explorer `latentkit demo` exports beside its report, opened as a reader would: the demo
 * runs through the CLI (quick, image part), its folder is put behind a plain static file server
 * (no explorer server: only files), the report's link is followed, and the page must show the
 * demo's codes coloured by label (screenshot pixels in the palette's colours) and decode a
 * clicked point with the demo's own model: the page's picture equals what Node decodes from
 * the same row with out/models/image-conv-ae. Opened from file:// the page says to serve it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, loadModel, makeLatent, readNpy, registerModels } from '@latentkit/core';
import { imageModels, type FloatImage } from '@latentkit/image';
import { chromiumAvailable, launchChromium, type ChromiumSession } from './chromium.js';
import { REPO_ROOT } from './page-build.js';
import { serveFolders, type StaticServer } from './static-server.js';

/** labels.ts PALETTE[0..9]: the colours of ten labels. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#aec7e8'].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

type Handle = {
  ready: boolean;
  error?: string;
  model?: string | null;
  sets: { name: string; n: number; d: number }[];
  selected: number;
  decoded?: { kind: string; width?: number; height?: number; data?: number[] } | { kind: 'error'; message: string };
  screenPosition(row: number): [number, number] | undefined;
};
declare const latentExplorer: Handle;

describe.skipIf(!chromiumAvailable() && !process.env.CI)('the explorer latentkit demo exports', () => {
  let out: string;
  let server: StaticServer;
  let chrome: ChromiumSession;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'lk-demo-explorer-'));
    const cli = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(REPO_ROOT, 'packages/cli/src/bin.ts'), 'demo', '--quick', '--only', 'image', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    cli.stdout.on('data', (b: Buffer) => (log += b));
    cli.stderr.on('data', (b: Buffer) => (log += b));
    const code = await new Promise<number | null>((res) => cli.on('close', res));
    expect(code, log.slice(-3000)).toBe(0);
    server = await serveFolders({ '/': out });
    chrome = await launchChromium({ width: 1100, height: 700 });
  }, 300_000);

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('the report links the explorer, which shows the codes coloured by label (screenshot pixels)', async () => {
    const report = await readFile(join(out, 'report.html'), 'utf8');
    const href = /<a href="(explorer\/[^"#]*)">/.exec(report)?.[1];
    expect(href).toBe('explorer/index.html');
    await chrome.page.goto(`${server.url}report.html`);
    await chrome.page.click(`a[href="${href}"]`);
    await chrome.page.waitForFunction(() => typeof latentExplorer !== 'undefined' && (latentExplorer.ready || latentExplorer.error !== undefined), null, { timeout: 60_000 });
    const state = await chrome.page.evaluate(() => ({ error: latentExplorer.error, sets: latentExplorer.sets }));
    expect(state.error, chrome.log.join('\n')).toBeUndefined();
    expect(state.sets.map((s) => [s.name, s.d])).toEqual([
      ['image (conv AE): held-out images', 16],
      ['image (VAE): held-out images', 8],
    ]);
    const { data, info } = await sharp(await chrome.page.locator('#plot').screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const counts = PALETTE.map(() => 0);
    for (let p = 0; p < info.width * info.height; p++) {
      PALETTE.forEach(([r, g, b], k) => {
        if (Math.abs(data[3 * p] - r) + Math.abs(data[3 * p + 1] - g) + Math.abs(data[3 * p + 2] - b) < 40) counts[k]++;
      });
    }
    // The held-out images hold every class of the embedded digits: most label colours are drawn.
    expect(counts.filter((c) => c > 20).length, `pixels per label colour: ${counts}`).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it("a click decodes the point with the demo's model: the picture Node decodes from that row", async () => {
    await chrome.page.waitForFunction(() => typeof latentExplorer.model === 'string' || latentExplorer.error !== undefined, null, { timeout: 120_000 });
    expect(await chrome.page.evaluate(() => latentExplorer.model), chrome.log.join('\n')).toBe('image/conv-ae');
    const pos = await chrome.page.evaluate(() => latentExplorer.screenPosition(3));
    expect(pos).toBeDefined();
    const box = (await chrome.page.locator('#plot').boundingBox())!;
    await chrome.page.mouse.move(box.x + pos![0], box.y + pos![1]);
    await chrome.page.mouse.click(box.x + pos![0], box.y + pos![1]);
    await chrome.page.waitForFunction(() => latentExplorer.selected >= 0 && latentExplorer.decoded !== undefined, null, { timeout: 60_000 });
    const { selected, decoded } = await chrome.page.evaluate(() => ({ selected: latentExplorer.selected, decoded: latentExplorer.decoded }));
    expect(decoded?.kind, JSON.stringify(decoded).slice(0, 300)).toBe('image');
    const page = decoded as { width: number; height: number; data: number[] };
    expect([page.width, page.height]).toEqual([28, 28]);

    await initEngine({ backend: 'wasm' });
    registerModels(imageModels);
    const model = await loadModel(join(out, 'models', 'image-conv-ae'));
    const codes = await readNpy(join(out, 'explorer', 'data', '0', 'codes.npy'));
    const d = codes.shape[1];
    const [node] = (await model.decode([makeLatent(Float32Array.from(codes.data.subarray(selected * d, (selected + 1) * d)), [d], 'image', 'image/conv-ae')])) as FloatImage[];
    model.dispose();
    let diff = 0;
    node.data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - page.data[i]))));
    expect(diff).toBeLessThanOrEqual(1e-4);
    // The decoded picture is on screen, not only in the handle.
    const shot = await sharp(await chrome.page.locator('canvas.decoded').first().screenshot()).greyscale().raw().toBuffer();
    expect(Math.max(...shot) - Math.min(...shot)).toBeGreaterThan(50);
  }, 180_000);

  it('opened from a file, the page says to serve its folder', async () => {
    await chrome.page.goto(pathToFileURL(join(out, 'explorer', 'index.html')).href);
    await chrome.page.waitForTimeout(1000);
    expect(await chrome.page.locator('#status').textContent()).toMatch(/serve its folder over HTTP/);
  }, 60_000);
});
