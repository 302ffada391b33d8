/**
 * @file `npm run bench -- browser`: encode throughput in Chromium vs Node for each model kind
 * (bench/lib/browser-encode.ts; `--part encode` runs only that), and the latent explorer in
 * headless Chromium on 100k and 1M rows of 32-d codes (`--part explorer` runs only that) — time to first picture (fetch, decode, manifest, PCA, WebGL draw),
 * frame times while zooming and panning, and kNN query times. Same-run references in Node:
 * core's PCA (tfjs) on the same codes, and a plain brute-force kNN scan without pruning.
 *
 * Chromium runs with --disable-gpu, so WebGL is SwiftShader on the CPU: frame times here are
 * an upper bound of what a machine with a GPU shows.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, PCA, readNpy } from '@latentkit/core';
import { readCodeSet, startExplorerServer } from '@latentkit/explorer';
import { chromiumAvailable, launchChromium } from '../../test/browser/chromium.js';
import { writeClusters } from '../../test/browser/fixtures.js';
import { encodeThroughput, type EncodeThroughputRow } from '../lib/browser-encode.js';
import { explorerShowcase, type ShowcaseResult } from '../lib/explorer-showcase.js';
import { median, numberArg, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

type Handle = {
  ready: boolean;
  error?: string;
  selected: number;
  neighbours?: { within: { indices: Record<string, number> } };
  timings: Record<string, number>;
  select(row: number): Promise<void>;
};
declare const latentExplorer: Handle;
/** The page's globals the frame probe uses (bench/ is typed without the DOM library). */
type FrameProbe = { frames_: number[]; stop_: boolean };
/** Records requestAnimationFrame intervals until `stop_` is set. */
const FRAME_PROBE = `(() => {
  window.frames_ = []; window.stop_ = false;
  let last = performance.now();
  const tick = (t) => { window.frames_.push(t - last); last = t; if (!window.stop_) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;

/** Brute-force kNN without pruning, the reference for the page's pruned scan. */
function plainScan(data: Float32Array, d: number, row: number, k: number): number[] {
  const n = data.length / d;
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === row) continue;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - data[row * d + j];
      s += t * t;
    }
    if (best.length < k || s < best[k - 1].s) {
      best.push({ i, s });
      best.sort((a, b) => a.s - b.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))];
}

const suite: BenchSuite = {
  name: 'browser',
  description: 'encode throughput in Chromium vs Node per model kind; latent explorer in headless Chromium: load, PCA, draw, pan/zoom frames, kNN (100k and 1M x 32)',
  async run(ctx) {
    if (!chromiumAvailable()) throw new Error('Chromium not found at /usr/bin/chromium: apt-get install -y chromium');
    const d = numberArg(ctx.args, 'dim') ?? 32;
    const part = typeof ctx.args.part === 'string' ? ctx.args.part : 'all';
    if (!['all', 'encode', 'explorer'].includes(part)) throw new Error(`--part must be all, encode or explorer, got '${part}'.`);
    const loadAtStart = loadavg()[0];
    let encode: EncodeThroughputRow[] = [];
    if (part !== 'explorer') {
      encode = await encodeThroughput(ctx.quick, ctx.log);
      ctx.log('\n' + formatTable(encode as unknown as Record<string, unknown>[]));
    }
    const sizes = part === 'encode' ? [] : ctx.quick ? [100_000] : [100_000, 1_000_000];
    const dir = await mkdtemp(join(tmpdir(), 'lk-bench-browser-'));
    const rows: Record<string, unknown>[] = [];
    const loadBefore = loadavg()[0];
    let showcase: ShowcaseResult | undefined;
    try {
      for (const n of sizes) {
        const sizesPerLabel = Array.from({ length: 10 }, () => n / 10);
        const set = await writeClusters(dir, `codes-${n}`, sizesPerLabel, d, 1, 3);
        const server = await startExplorerServer({ sets: [await readCodeSet({ codes: set.codes })] });
        const chrome = await launchChromium({ width: 1280, height: 800 });
        try {
          const t0 = performance.now();
          await chrome.page.goto(server.url);
          await chrome.page.waitForFunction(() => latentExplorer.ready || latentExplorer.error !== undefined, null, { timeout: 300_000 });
          const firstPicture = performance.now() - t0;
          const timings = await chrome.page.evaluate(() => {
            if (latentExplorer.error) throw new Error(latentExplorer.error);
            return latentExplorer.timings;
          });
          // Frame intervals while the user zooms and drags (requestAnimationFrame deltas).
          // Passed as text: tsx wraps named functions with a helper the page does not have.
          await chrome.page.evaluate(FRAME_PROBE);
          const box = (await chrome.page.locator('#plot').boundingBox())!;
          const cx = box.x + box.width / 2;
          const cy = box.y + box.height / 2;
          await chrome.page.mouse.move(cx, cy);
          for (let i = 0; i < 8; i++) await chrome.page.mouse.wheel(0, -120);
          await chrome.page.mouse.down();
          for (let i = 1; i <= 10; i++) await chrome.page.mouse.move(cx + 20 * i, cy + 10 * i);
          await chrome.page.mouse.up();
          const frames = await chrome.page.evaluate(() => {
            const w = globalThis as unknown as FrameProbe;
            w.stop_ = true;
            return w.frames_.slice(1);
          });
          // kNN: the worker finishes its rotated index after the first picture; the first
          // query waits for it and is reported apart.
          const rnd = createRng(7);
          const picks = Array.from({ length: 12 }, () => Math.floor(rnd() * n));
          const knn: number[] = [];
          const found: number[][] = [];
          let firstClick = 0;
          for (const r of picks) {
            const tc = performance.now();
            await chrome.page.evaluate((row) => latentExplorer.select(row), r);
            // The first click's whole wait as a user sees it: the rotated index still being
            // built, the manifest read for the names shown, the query and the details drawn.
            if (firstClick === 0) firstClick = performance.now() - tc;
            knn.push(await chrome.page.evaluate(() => latentExplorer.timings.knn));
            found.push(await chrome.page.evaluate(() => Object.values(latentExplorer.neighbours!.within.indices)));
          }
          // Same-run references in Node on the same codes.
          const codes = await readNpy(set.codes);
          const data = codes.data as Float32Array;
          const tp = performance.now();
          await PCA.fit({ data, rows: n, cols: d }, 2);
          const nodePca = performance.now() - tp;
          const ts = performance.now();
          for (const r of picks.slice(0, 3)) plainScan(data, d, r, 10);
          const nodeScan = (performance.now() - ts) / 3;
          // recall@10 of the page's answers against the plain scan (the method is exact: 1 expected).
          let hits = 0;
          picks.forEach((r, q) => {
            const want = new Set(plainScan(data, d, r, 10));
            hits += found[q].filter((i) => want.has(i)).length;
          });
          const recall = hits / (10 * picks.length);
          const row = {
            rows: n,
            dim: d,
            first_picture_ms: firstPicture,
            fetch_ms: timings[`read:codes-${n}`],
            decode_ms: timings[`decode:codes-${n}`],
            manifest_ms: timings[`rows:codes-${n}`],
            pca_page_ms: timings.pca,
            pca_node_core_ms: nodePca,
            spatial_index_ms: timings['scatter:index'],
            webgl_draw_ms: timings['scatter:draw'],
            frame_median_ms: median(frames),
            frame_p95_ms: p95(frames),
            frames: frames.length,
            first_click_wall_ms: firstClick,
            knn_first_ms: knn[0],
            knn_median_ms: median(knn.slice(1)),
            knn_max_ms: Math.max(...knn.slice(1)),
            knn_plain_scan_node_ms: nodeScan,
            knn_recall_at_10: recall,
          };
          rows.push(row);
          ctx.log(formatTable([row]));
        } finally {
          await chrome.close();
          await server.close();
        }
      }
      if (part === 'encode') ctx.log('explorer skipped (--part encode)');
      else if (existsSync(join(ctx.dataDir, 'mnist')) && existsSync(join(ctx.dataDir, 'stsb-dev'))) {
        showcase = await explorerShowcase(ctx.dataDir, dir, join(ctx.outDir, 'explorer-mnist.png'), ctx.log);
        ctx.log(`showcase: clicked a ${showcase.clickedLabel}; its 10 nearest codes are ${showcase.neighbourLabels.join(' ')}; screenshot ${showcase.screenshot}`);
      } else ctx.log('showcase skipped: no mnist/ and stsb-dev/ in the data folder');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    ctx.log('\n' + formatTable(rows));
    return {
      suite: 'browser',
      chromium: 'Debian chromium, headless, --disable-gpu (WebGL on SwiftShader)',
      // Other jobs share this machine's 2 cores; the 1-minute load average says how much.
      load_average: { start: loadAtStart, before_explorer: loadBefore, after: loadavg()[0] },
      encode_throughput: { engine: 'tfjs wasm on both sides, one page / one process, inputs per second of encode', rows: encode },
      knn_method:
        'exact: PCA-rotated rows stored sorted by the first component; a query walks outward from its own first coordinate until that gap alone passes the 10th-best distance, with partial-distance pruning, in a Web Worker (recall@10 checked against a plain scan in Node)',
      explorer: rows,
      showcase: showcase && { ...showcase, screenshot: 'explorer-mnist.png' },
    };
  },
};

export default suite;
