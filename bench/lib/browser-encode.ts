/**
 * @file Encode throughput in Chromium vs Node, per model kind, for `npm run bench -- browser`:
 * the same models (saved by Node, served on 127.0.0.1, loaded in the page by `loadModel(url)`)
 * and the same inputs, tfjs wasm on both sides, single page / single process. Models are
 * untrained (throughput does not depend on the weights) and sized like the CLI defaults' small
 * cases; the sentence model is the shipped one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, type Autoencoder, type ModelConfig } from '@latentkit/core';
import { ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE, type FloatImage } from '@latentkit/image';
import { SpeechAutoencoder, syntheticSpeechCorpus } from '@latentkit/audio';
import { defaultSentenceAutoencoderPath, SentenceAutoencoder } from '@latentkit/text';
import { launchChromium } from '../../test/browser/chromium.js';
import { callPage, type InputJson } from '../../test/browser/page-api.js';
import { buildModelsPage, WASM_DIR } from '../../test/browser/page-build.js';
import { serveFolders } from '../../test/browser/static-server.js';

/** One row of the table. */
export interface EncodeThroughputRow {
  kind: string;
  inputs: number;
  node_per_s: number;
  chromium_per_s: number;
  chromium_over_node: number;
}

/** Inputs per second of `repeat` passes of `encode` over `inputs` (after one warm-up call). */
async function nodeThroughput(model: Autoencoder<any, any, ModelConfig>, inputs: unknown[], repeat: number): Promise<number> {
  await model.encode(inputs.slice(0, 1));
  const t0 = performance.now();
  for (let r = 0; r < repeat; r++) await model.encode(inputs);
  return (inputs.length * repeat) / ((performance.now() - t0) / 1000);
}

/**
 * Measures every model kind.
 * @param quick - fewer inputs and passes.
 * @param log - progress lines.
 */
export async function encodeThroughput(quick: boolean, log: (line: string) => void): Promise<EncodeThroughputRow[]> {
  await initEngine({ backend: 'wasm' });
  const dir = await mkdtemp(join(tmpdir(), 'lk-bench-encode-'));
  const repeat = quick ? 2 : 5;
  const images: FloatImage[] = Array.from({ length: quick ? 64 : 256 }, (_, k) => ({
    data: Float32Array.from({ length: 784 }, (_, p) => Math.round(255 * Math.abs(Math.sin(p / 7 + k))) / 255),
    width: 28,
    height: 28,
    channels: 1,
  }));
  const clips = syntheticSpeechCorpus({ speakers: 4, utterancesPerSpeaker: quick ? 2 : 4, contents: 4, sampleRate: 16000, seed: 1 }).map((u) => u.clip);
  const sentences = Array.from({ length: quick ? 16 : 64 }, (_, i) => `sentence number ${i} says that a small dog barked at the mailman`);
  const stats = await SpeechAutoencoder.create({ sampleRate: 16000 }).melStatistics(clips);
  const cases: { kind: string; folder: string; model: Autoencoder<any, any, ModelConfig>; inputs: unknown[]; json: InputJson[] }[] = [
    { kind: 'image/dense-ae', folder: 'dense', model: DenseImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 16 }), inputs: images, json: [] },
    { kind: 'image/conv-ae', folder: 'conv', model: ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 16 }), inputs: images, json: [] },
    { kind: 'image/vae', folder: 'vae', model: ImageVAE.create({ inputShape: [28, 28, 1], latentDim: 16 }), inputs: images, json: [] },
    { kind: 'audio/speaker-content-ae', folder: 'speech', model: SpeechAutoencoder.create({ sampleRate: 16000, normalization: stats }), inputs: clips, json: [] },
  ];
  for (const c of cases) {
    await c.model.save(join(dir, 'models', c.folder));
    c.json = c.kind.startsWith('image')
      ? (c.inputs as FloatImage[]).map((i) => ({ image: { data: Array.from(i.data), width: 28, height: 28, channels: 1 as const } }))
      : clips.map((cl) => ({ audio: { samples: Array.from(cl.samples), sampleRate: cl.sampleRate } }));
  }
  const sentence = await SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
  cases.push({ kind: 'text/sentence-ae (shipped)', folder: '../shipped/sentence-ae', model: sentence, inputs: sentences, json: sentences.map((text) => ({ text })) });
  await buildModelsPage(join(dir, 'page'));
  const server = await serveFolders({ '/page/': join(dir, 'page'), '/wasm/': WASM_DIR, '/models/': join(dir, 'models'), '/shipped/': join(defaultSentenceAutoencoderPath(), '..') });
  const chrome = await launchChromium({ width: 400, height: 300 });
  const rows: EncodeThroughputRow[] = [];
  try {
    await chrome.page.goto(`${server.url}page/index.html`);
    await chrome.page.waitForFunction(() => 'lk' in globalThis, undefined, { timeout: 60_000 });
    log(await callPage(chrome.page, 'init', `${server.url}wasm/`));
    for (const c of cases) {
      const node = await nodeThroughput(c.model, c.inputs, repeat);
      const page = await callPage(chrome.page, 'throughput', new URL(`models/${c.folder}`, server.url).href, c.json, repeat);
      const row = { kind: c.kind, inputs: c.inputs.length, node_per_s: Math.round(node * 10) / 10, chromium_per_s: Math.round(page * 10) / 10, chromium_over_node: Math.round((page / node) * 100) / 100 };
      rows.push(row);
      log(`${row.kind}: Node ${row.node_per_s}/s, Chromium ${row.chromium_per_s}/s (x${row.chromium_over_node})`);
    }
  } finally {
    await chrome.close();
    await server.close();
    for (const c of cases) c.model.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
