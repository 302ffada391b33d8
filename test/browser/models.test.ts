/**
 * Every model kind runs in Chromium and gives Node's codes: dense, conv and VAE image models,
 * the speech model (custom layers LkAdaIN, LkMaskedMeanPool, ...) and the shipped sentence model
 * (LkHoleHash, LkSliceLast, ...). Models are saved by Node into a folder this test serves on
 * 127.0.0.1; the page (page/models-page.ts, bundled by esbuild for the browser) loads each with
 * `loadModel(url)` — latentkit.json first, then the weights folder it names, every sha256
 * checked with WebCrypto — and encodes inputs that reach it through ImageData and AudioBuffer.
 * Both sides run tfjs on wasm. A corrupted weight file is refused with ChecksumMismatchError.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, type Latent } from '@latentkit/core';
import { ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE, type FloatImage } from '@latentkit/image';
import { SpeechAutoencoder, syntheticSpeechCorpus, type AudioClip } from '@latentkit/audio';
import { defaultSentenceAutoencoderPath, SentenceAutoencoder } from '@latentkit/text';
import { chromiumAvailable, launchChromium, type ChromiumSession } from './chromium.js';
import { callPage, type CodeJson, type InputJson, type PageApi } from './page-api.js';
import { buildModelsPage, WASM_DIR } from './page-build.js';
import { serveFolders, type StaticServer } from './static-server.js';

const TOLERANCE = 1e-4;

/** Runs one `window.lk` call in the page. */
function call<K extends keyof PageApi>(s: ChromiumSession, name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return callPage(s.page, name, ...args);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Digit-like images whose values are multiples of 1/255, so the page's ImageData carries them exactly. */
function images(n: number): FloatImage[] {
  return Array.from({ length: n }, (_, k) => {
    const data = new Float32Array(28 * 28);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) data[y * 28 + x] = Math.round(255 * Math.max(0, Math.sin((x + k * 3) / 4) * Math.cos((y - k) / 5))) / 255;
    return { data, width: 28, height: 28, channels: 1 as const };
  });
}

const SENTENCES = ['a small dog barked at the mailman', 'the cat sat on the mat', 'water boils at a high temperature'];

describe.skipIf(!chromiumAvailable())('models in Chromium', () => {
  let dir: string;
  let server: StaticServer;
  let session: ChromiumSession;
  const imageModels: Record<string, DenseImageAutoencoder | ConvImageAutoencoder | ImageVAE> = {};
  let speech: SpeechAutoencoder;
  let sentence: SentenceAutoencoder;
  const imgs = images(4);
  let clips: AudioClip[];

  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'lk-models-page-'));
    imageModels.dense = DenseImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 8, hidden: [32], seed: 1 });
    imageModels.conv = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 8, filters: [8, 16], seed: 2 });
    imageModels.vae = ImageVAE.create({ inputShape: [28, 28, 1], latentDim: 4, filters: [8, 16], hidden: [32], seed: 3 });
    for (const [name, m] of Object.entries(imageModels)) await m.save(join(dir, 'models', name));
    clips = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 2, contents: 2, sampleRate: 8000, seed: 4 }).map((u) => u.clip);
    const small = { sampleRate: 8000, channels: 16, kernelSize: 3, contentBlocks: 1, speakerBlocks: 1, decoderBlocks: 1, speakerDim: 8, contentDim: 4, seed: 5 };
    // Untrained weights are as good as trained ones for parity; the log-mel statistics are what encode needs.
    const stats = await SpeechAutoencoder.create(small).melStatistics(clips);
    speech = SpeechAutoencoder.create({ ...small, normalization: stats });
    await speech.save(join(dir, 'models', 'speech'));
    sentence = await SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
    await buildModelsPage(join(dir, 'page'));
    server = await serveFolders(
      { '/page/': join(dir, 'page'), '/wasm/': WASM_DIR, '/models/': join(dir, 'models'), '/shipped/': join(defaultSentenceAutoencoderPath(), '..'), '/tampered/': join(dir, 'models') },
      {
        // One flipped bit in each weight file under /tampered/: same size, another sha256.
        rewrite: (path, bytes) => {
          if (!path.startsWith('/tampered/') || !path.endsWith('.bin')) return bytes;
          const copy = Uint8Array.from(bytes);
          copy[copy.length >> 1] ^= 1;
          return copy;
        },
      },
    );
    session = await launchChromium({ width: 400, height: 300 });
    await session.page.goto(`${server.url}page/index.html`);
    await session.page.waitForFunction(() => 'lk' in globalThis, undefined, { timeout: 60_000 });
    const engine = await call(session, 'init', `${server.url}wasm/`);
    expect(engine).toMatch(/^backend: wasm/);
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
    for (const m of Object.values(imageModels)) m.dispose();
    speech?.dispose();
    sentence?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const imageJson = (img: FloatImage): InputJson => ({ image: { data: Array.from(img.data), width: img.width, height: img.height, channels: img.channels } });

  for (const name of ['dense', 'conv', 'vae']) {
    it(`image ${name}: the page's codes and decoded images equal Node's (wasm both sides)`, async () => {
      const model = imageModels[name];
      const url = `${server.url}models/${name}`;
      expect(await call(session, 'kind', url)).toBe(model.config.kind);
      const page = await call(session, 'encode', url, imgs.map(imageJson));
      const node = await model.encode(imgs);
      page.forEach((c, i) => expect(maxDiff(c.data, node[i].data), `code ${i}`).toBeLessThanOrEqual(TOLERANCE));
      const decodedPage = (await call(session, 'decode', url, page.slice(0, 2))) as FloatImage[];
      const decodedNode = await model.decode(node.slice(0, 2));
      decodedPage.forEach((d, i) => expect(maxDiff(d.data, decodedNode[i].data)).toBeLessThanOrEqual(TOLERANCE));
    }, 120_000);
  }

  it('speech: speaker and content codes equal Node\'s; a decoded clip plays (non-silent AudioBuffer) and matches Node\'s', async () => {
    const url = `${server.url}models/speech`;
    const page = await call(session, 'encode', url, clips.map((c) => ({ audio: { samples: Array.from(c.samples), sampleRate: c.sampleRate } })));
    const node = await speech.encode(clips);
    page.forEach((c, i) => {
      expect(maxDiff(c.data, node[i].data), `code ${i}`).toBeLessThanOrEqual(TOLERANCE);
      for (const part of ['speaker', 'content']) expect(maxDiff(c.parts![part].data, node[i].parts![part].data), `${part} ${i}`).toBeLessThanOrEqual(TOLERANCE);
    });
    // Voice conversion in the page: the content of clip 0 with the speaker of clip 3 (another speaker).
    const mixed: CodeJson = { ...page[0], parts: { ...page[0].parts!, speaker: page[3].parts!.speaker } };
    const [clip] = (await call(session, 'decode', url, [mixed])) as AudioClip[];
    const rms = Math.sqrt(clip.samples.reduce((s: number, v: number) => s + v * v, 0) / clip.samples.length);
    expect(clip.sampleRate).toBe(8000);
    expect(rms).toBeGreaterThan(1e-3);
    const [nodeClip] = await speech.decode([{ ...node[0], parts: { ...node[0].parts!, speaker: node[3].parts!.speaker } } as Latent]);
    expect(clip.samples.length).toBe(nodeClip.samples.length);
    // Griffin-Lim iterates on the decoded mel; the buffer is clipped to [-1, 1] for playing.
    expect(maxDiff(clip.samples, nodeClip.samples.map((v) => Math.max(-1, Math.min(1, v))))).toBeLessThanOrEqual(1e-3);
  }, 180_000);

  it('the shipped sentence model: codes, decoded sentences and fill-in equal Node\'s', async () => {
    const url = `${server.url}shipped/sentence-ae`;
    const page = await call(session, 'encode', url, SENTENCES.map((text) => ({ text })));
    const node = await sentence.encode(SENTENCES);
    page.forEach((c, i) => expect(maxDiff(c.data, node[i].data), `code ${i}`).toBeLessThanOrEqual(TOLERANCE));
    const decoded = (await call(session, 'decode', url, page)) as string[];
    expect(decoded).toEqual(await sentence.decode(node));
    const gapped = ['the c_t sat on the m_t'];
    expect(await call(session, 'fillIn', url, gapped)).toEqual(await sentence.fillIn(gapped));
  }, 180_000);

  it('a served folder whose weight file changed is refused with ChecksumMismatchError', async () => {
    const bad = await call(session, 'loadError', `${server.url}tampered/conv`);
    expect(bad.checksum).toBe(true);
    expect(bad.message).toMatch(/sha256 does not match latentkit\.json/);
    const missing = await call(session, 'loadError', `${server.url}models/nothing-here`);
    expect(missing.name).toBe('ModelFormatError');
    expect(missing.message).toMatch(/HTTP 404/);
  }, 60_000);
});
