/**
 * Live decoding in the explorer, through the CLI a user runs: `latentkit explore --codes
 * digits.npy --model <folder>` prints the page's address; a click on a point decodes that row's
 * code in the page (the model loaded with loadModel(url), tfjs wasm) and draws the digit. A 5-NN
 * judge on raw pixels (against MNIST training images) must read the decoded digits as the clicked
 * rows' labels, and the decoded canvas on the screenshot must hold ink on a dark ground.
 * Needs MNIST (LATENTKIT_DATA).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRowsCsv, initEngine, resolveDataDir, writeFileAtomic, writeNpy, rowsManifestPath } from '@latentkit/core';
import { DenseImageAutoencoder, loadMnist, type FloatImage, type LabeledImages } from '@latentkit/image';
import { chromiumAvailable, launchChromium, type ChromiumSession } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MNIST = join(resolveDataDir(), 'mnist');
const hasData = existsSync(MNIST);

/** The label most common among the 5 training images nearest (Euclidean, raw pixels). */
function judge(img: ArrayLike<number>, train: LabeledImages): number {
  const best: { d: number; label: number }[] = [];
  train.images.forEach((t, i) => {
    let d = 0;
    for (let p = 0; p < t.data.length; p++) d += (t.data[p] - img[p]) ** 2;
    best.push({ d, label: train.labels[i] });
    best.sort((a, b) => a.d - b.d);
    if (best.length > 5) best.pop();
  });
  const votes = new Map<number, number>();
  for (const b of best) votes.set(b.label, (votes.get(b.label) ?? 0) + 1);
  return [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

describe.skipIf(!chromiumAvailable() || !hasData)('explorer: a click decodes the point (latentkit explore --model)', () => {
  let dir: string;
  let cli: ChildProcess;
  let url: string;
  let session: ChromiumSession;
  let train: LabeledImages;
  let test: { images: FloatImage[]; labels: Uint8Array };

  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'lk-explore-'));
    train = await loadMnist(MNIST, 'train', { limit: 3000 });
    const t = await loadMnist(MNIST, 'test', { limit: 200 });
    test = { images: t.images, labels: t.labels };
    const model = DenseImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 16, hidden: [128], seed: 1 });
    await model.fit(train.images, { epochs: 8, batchSize: 64, learningRate: 2e-3, seed: 1 });
    await model.save(join(dir, 'model'));
    const codes = await model.encode(test.images);
    const d = codes[0].data.length;
    const data = new Float32Array(codes.length * d);
    codes.forEach((c, i) => data.set(c.data, i * d));
    await writeNpy(join(dir, 'digits.npy'), { data, shape: [codes.length, d] });
    await writeFileAtomic(rowsManifestPath(join(dir, 'digits.npy')), formatRowsCsv(Array.from(test.labels, (l, i) => ({ source: `mnist-test/${i}`, label: String(l) }))));
    model.dispose();
    cli = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'packages/cli/src/bin.ts'), 'explore', '--codes', join(dir, 'digits.npy'), '--model', join(dir, 'model')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL from latentkit explore: ${out}`)), 120_000);
      cli.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /latent explorer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      cli.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      cli.once('exit', (code) => reject(new Error(`latentkit explore exited (${code}): ${out}`)));
    });
    session = await launchChromium({ width: 1000, height: 700 });
    await session.page.goto(url);
    await session.page.waitForFunction(() => {
      const h = (globalThis as unknown as { latentExplorer?: { ready: boolean; model?: string | null; error?: string } }).latentExplorer;
      return !!h && ((h.ready && typeof h.model === 'string') || !!h.error);
    }, undefined, { timeout: 120_000 });
  }, 400_000);

  afterAll(async () => {
    await session?.close();
    cli?.kill('SIGINT');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('clicked digits decode into images the 5-NN judge reads as their labels; the decoded canvas is drawn', async () => {
    const state = await session.page.evaluate(() => (globalThis as unknown as { latentExplorer: { model: string; error?: string } }).latentExplorer);
    expect(state.error, session.log.join('\n')).toBeUndefined();
    expect(state.model).toBe('image/dense-ae');
    const rows = [0, 1, 2, 3, 4, 5, 6, 7];
    let right = 0;
    for (const row of rows) {
      const pos = await session.page.evaluate((r) => (globalThis as unknown as { latentExplorer: { screenPosition(r: number): [number, number] | undefined } }).latentExplorer.screenPosition(r), row);
      expect(pos, `row ${row} is on screen`).toBeDefined();
      // A real click where the point is drawn; points may overlap, so the selected row is read back.
      const box = (await session.page.locator('#plot').boundingBox())!;
      await session.page.mouse.move(box.x + pos![0], box.y + pos![1]);
      await session.page.mouse.click(box.x + pos![0], box.y + pos![1]);
      await session.page.waitForFunction(() => {
        const h = (globalThis as unknown as { latentExplorer: { selected: number; decoded?: unknown } }).latentExplorer;
        return h.selected >= 0 && h.decoded !== undefined;
      }, undefined, { timeout: 60_000 });
      const { selected, decoded } = await session.page.evaluate(() => {
        const h = (globalThis as unknown as { latentExplorer: { selected: number; decoded?: { kind: string; data?: number[] } } }).latentExplorer;
        const out = { selected: h.selected, decoded: h.decoded };
        h.decoded = undefined;
        return out;
      });
      expect(decoded?.kind, JSON.stringify(decoded).slice(0, 200)).toBe('image');
      if (judge(decoded!.data!, train) === test.labels[selected]) right++;
    }
    // The model's reconstructions are not perfect; most clicked digits must read right.
    expect(right).toBeGreaterThanOrEqual(rows.length - 2);
    const canvas = session.page.locator('canvas.decoded').first();
    const png = await canvas.screenshot();
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const bright = data.filter((v) => v > 128).length / (info.width * info.height);
    // A digit: some ink (bright strokes) on a mostly dark ground.
    expect(bright).toBeGreaterThan(0.03);
    expect(bright).toBeLessThan(0.5);
    // The README's picture: LATENTKIT_README_SCREENSHOT=docs/explorer.png npx vitest run test/browser/explorer-decode.test.ts
    const shot = process.env.LATENTKIT_README_SCREENSHOT;
    if (shot) await sharp(await session.page.screenshot()).resize({ width: 800 }).png({ palette: true, colours: 64 }).toFile(join(ROOT, shot));
  }, 300_000);
});
