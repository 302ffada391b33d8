/**
 * @file The explorer on real codes, for the README's screenshot: 10,000 MNIST test digits
 * through a dense autoencoder trained on 20,000 training digits (32-d codes, labelled by
 * digit), and STS-B dev sentences through the shipped sentence autoencoder (the `meaning`
 * part, labelled by genre). A click on a digit shows its nearest neighbours.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRowsCsv, initEngine, rowsManifestPath, selectPart, stackLatents, writeFileAtomic, writeNpy } from '@latentkit/core';
import { readCodeSet, startExplorerServer } from '@latentkit/explorer';
import { DenseImageAutoencoder, loadMnist } from '@latentkit/image';
import { defaultSentenceAutoencoderPath, SentenceAutoencoder } from '@latentkit/text';
import { launchChromium } from '../../test/browser/chromium.js';

type Handle = { ready: boolean; error?: string; selected: number; neighbours?: unknown; screenPosition(row: number): [number, number] | undefined };
declare const latentExplorer: Handle;

/** What the showcase produced. */
export interface ShowcaseResult {
  screenshot: string;
  digits: number;
  sentences: number;
  trainSeconds: number;
  clickedLabel: string;
  neighbourLabels: string[];
}

/**
 * Trains, encodes, serves and photographs.
 * @param dataDir - the data folder (mnist/, stsb-dev/).
 * @param workDir - a scratch folder for the code files.
 * @param outFile - where the PNG goes.
 */
export async function explorerShowcase(dataDir: string, workDir: string, outFile: string, log: (m: string) => void): Promise<ShowcaseResult> {
  const train = await loadMnist(join(dataDir, 'mnist'), 'train', { limit: 20_000 });
  const test = await loadMnist(join(dataDir, 'mnist'), 'test');
  await initEngine();
  const ae = DenseImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 32, seed: 1 });
  const t0 = performance.now();
  await ae.fit(train.images, { epochs: 8, batchSize: 128, seed: 1 });
  const trainSeconds = (performance.now() - t0) / 1000;
  log(`showcase: dense AE trained on 20,000 MNIST digits in ${trainSeconds.toFixed(0)} s`);
  const digits = join(workDir, 'mnist-test.npy');
  await writeNpy(digits, stackLatents(await ae.encode(test.images)));
  const digitLabels = Array.from(test.labels, (l) => String(l));
  await writeFileAtomic(
    rowsManifestPath(digits),
    formatRowsCsv(digitLabels.map((label, i) => ({ source: `mnist/t10k-images#${i}`, label }))),
  );

  // STS-B dev: tab-separated genre, source, year, id, score, sentence 1, sentence 2.
  const sts = (await readFile(join(dataDir, 'stsb-dev', 'sts-dev.csv'), 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const sentences: { text: string; label: string; source: string }[] = [];
  sts.forEach((line, i) => {
    const f = line.split('\t');
    if (f.length >= 7) for (const k of [5, 6]) sentences.push({ text: f[k], label: f[0], source: `sts-dev.csv:${i + 1}` });
  });
  const sae = await SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
  const meaning = selectPart(await sae.encode(sentences.map((s) => s.text)), 'meaning');
  const texts = join(workDir, 'stsb-sentences.npy');
  await writeNpy(texts, stackLatents(meaning));
  await writeFileAtomic(rowsManifestPath(texts), formatRowsCsv(sentences.map((s) => ({ source: s.source, label: s.label, text: s.text }))));

  const server = await startExplorerServer({ sets: [await readCodeSet({ codes: digits }), await readCodeSet({ codes: texts })] });
  const chrome = await launchChromium({ width: 1280, height: 800 });
  try {
    await chrome.page.goto(server.url);
    await chrome.page.waitForFunction(() => latentExplorer.ready || latentExplorer.error !== undefined, null, { timeout: 120_000 });
    const err = await chrome.page.evaluate(() => latentExplorer.error);
    if (err) throw new Error(`explorer: ${err}`);
    // Click the first test digit 7 (row 0 of the MNIST test set is a 7).
    const row = digitLabels.indexOf('7');
    const pos = await chrome.page.evaluate((r) => latentExplorer.screenPosition(r), row);
    const box = (await chrome.page.locator('#plot').boundingBox())!;
    await chrome.page.mouse.move(box.x + pos![0], box.y + pos![1]);
    await chrome.page.mouse.click(box.x + pos![0], box.y + pos![1]);
    await chrome.page.waitForFunction(() => latentExplorer.neighbours !== undefined, null, { timeout: 60_000 });
    const picked = await chrome.page.evaluate(() => ({
      selected: latentExplorer.selected,
      within: Object.values((latentExplorer.neighbours as { within: { indices: Record<string, number> } }).within.indices),
    }));
    await chrome.page.waitForTimeout(300);
    await chrome.page.screenshot({ path: outFile });
    return {
      screenshot: outFile,
      digits: test.images.length,
      sentences: sentences.length,
      trainSeconds,
      clickedLabel: digitLabels[picked.selected],
      neighbourLabels: picked.within.map((r) => digitLabels[r]),
    };
  } finally {
    await chrome.close();
    await server.close();
    ae.dispose?.();
  }
}
