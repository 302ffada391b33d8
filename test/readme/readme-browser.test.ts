/**
 * @file The README blocks written for a page (`<!-- readme-test: browser <name> -->`, see
 * blocks.ts) run as written in headless Chromium: each is bundled by esbuild for the browser
 * (platform browser, so the packages' `browser` entries), loaded by a page as a module, and
 * must finish without an error and print what CHECKS expects (lines appended after the block
 * read the block's own variables: a code of the model's width, a drawn picture, a non-silent
 * clip, the decoded sentence).
 *
 * What the blocks fetch is served from 127.0.0.1 at the paths they name: tfjs's `.wasm` files
 * at /wasm/, model folders saved here by Node at /models/digits (dense image autoencoder) and
 * /models/voices (speech autoencoder), the shipped sentence model at /models/sentence-ae, and
 * input files at / (seven.png, a.wav and b.wav: two synthetic speakers).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@latentkit/core';
import { DenseImageAutoencoder, syntheticGlyphs, writePng } from '@latentkit/image';
import { SpeechAutoencoder, syntheticSpeechCorpus, writeWav } from '@latentkit/audio';
import { defaultSentenceAutoencoderPath } from '@latentkit/text';
import { chromiumAvailable, launchChromium, type ChromiumSession } from '../browser/chromium.js';
import { REPO_ROOT, WASM_DIR } from '../browser/page-build.js';
import { serveFolders, type StaticServer } from '../browser/static-server.js';
import { readmeBlocks, scriptSource, type ReadmeBlock } from './blocks.js';

const ROOT = join(REPO_ROOT, '.vitest-tmp', `readme-browser-${process.pid}`);
const LATENT = 16;
const SPEAKER_DIM = 8;

/** Lines run after each block (with their imports) and what the page's console must show. */
const CHECKS: Record<string, { append: string; output: RegExp }> = {
  'README.md#image': {
    append: `import { engineInfo } from '@latentkit/core';
const px = canvas.getContext('2d').getImageData(0, 0, 28, 28).data;
console.log('check', 'backend:', engineInfo().backend, '| code', code.data.length, '| image', img.width, img.height, '| drawn', px.some((v, i) => i % 4 !== 3 && v > 0));`,
    output: new RegExp(`check backend: wasm \\| code ${LATENT} \\| image 28 28 \\| drawn true`),
  },
  'README.md#speech': {
    append: `import { engineInfo } from '@latentkit/core';
const played = player.buffer.getChannelData(0);
console.log('check', 'backend:', engineInfo().backend, '| speaker', b.parts.speaker.data.length, '| rate', player.buffer.sampleRate, '| rms>1e-3', Math.sqrt(played.reduce((s, v) => s + v * v, 0) / played.length) > 1e-3);`,
    output: new RegExp(`check backend: wasm \\| speaker ${SPEAKER_DIM} \\| rate 16000 \\| rms>1e-3 true`),
  },
  'README.md#text': {
    append: `import { engineInfo } from '@latentkit/core';
console.log('check', 'backend:', engineInfo().backend);`,
    output: /the cat sat on the mat \| the cat sat on the mat[\s\S]*check backend: wasm/,
  },
};

const READMES = ['README.md', ...(await readdir(join(REPO_ROOT, 'packages'))).filter((p) => existsSync(join(REPO_ROOT, 'packages', p, 'README.md'))).map((p) => `packages/${p}/README.md`)];
const BLOCKS: ReadmeBlock[] = (await Promise.all(READMES.map((f) => readmeBlocks(REPO_ROOT, f)))).flat().filter((b) => b.browser !== undefined);

/** Bundles one block (and its check lines) into `<dir>/<name>.js`, as a page's bundler would. */
async function bundle(block: ReadmeBlock, key: string, dir: string): Promise<string> {
  const name = key.replace(/[^A-Za-z0-9]+/g, '-');
  const check: ReadmeBlock = { ...block, line: 0, code: CHECKS[key]?.append ?? '', browser: undefined };
  const src = join(dir, `${name}.ts`);
  await writeFile(src, scriptSource({ name, blocks: [block, check], server: false }));
  await build({ entryPoints: [src], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outfile: join(dir, `${name}.js`), logLevel: 'silent' });
  return name;
}

/** The page: imports the bundle, and records on `window` whether it finished or threw (with its stack). */
const pageFor = (name: string) => `<!doctype html><meta charset="utf-8"><body><script type="module">
import('/bundles/${name}.js').then(() => { window.blockDone = true; }, (e) => { window.blockError = String((e && e.stack) || e); });
</script>`;

// Skipped only off CI without a browser: .ci/run installs Chromium, so there it must run.
describe.skipIf(!chromiumAvailable() && !process.env.CI)('README blocks in Chromium', () => {
  let server: StaticServer;
  let session: ChromiumSession;
  const pages: Record<string, string> = {};
  const names = new Map<string, string>();

  beforeAll(async () => {
    await initEngine({ backend: 'wasm' });
    const files = join(ROOT, 'files');
    const models = join(ROOT, 'models');
    const bundles = join(ROOT, 'bundles');
    await mkdir(files, { recursive: true });
    await mkdir(bundles, { recursive: true });
    // Untrained weights: what is checked is that the block runs and gives outputs of the right
    // shape; models.test.ts checks that the page's numbers equal Node's.
    const digits = DenseImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: LATENT, hidden: [32], seed: 1 });
    await digits.save(join(models, 'digits'));
    digits.dispose();
    const corpus = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 1, sampleRate: 16000, seed: 4 });
    const small = { sampleRate: 16000, channels: 16, kernelSize: 3, contentBlocks: 1, speakerBlocks: 1, decoderBlocks: 1, speakerDim: SPEAKER_DIM, contentDim: 4, seed: 5 };
    const stats = await SpeechAutoencoder.create(small).melStatistics(corpus.map((u) => u.clip));
    const voices = SpeechAutoencoder.create({ ...small, normalization: stats });
    await voices.save(join(models, 'voices'));
    voices.dispose();
    await writeWav(join(files, 'a.wav'), corpus[0].clip);
    await writeWav(join(files, 'b.wav'), corpus[1].clip);
    await writePng(join(files, 'seven.png'), (await syntheticGlyphs({ count: 1, seed: 12 })).images[0]);

    for (const b of BLOCKS) {
      const key = `${b.file}#${b.browser!}`;
      const name = await bundle(b, key, bundles);
      names.set(key, name);
      pages[`/${name}.html`] = pageFor(name);
    }
    // More specific prefixes first: the server takes the first that matches.
    server = await serveFolders(
      { '/models/sentence-ae/': defaultSentenceAutoencoderPath(), '/models/': models, '/wasm/': WASM_DIR, '/bundles/': bundles, '/': files },
      { pages },
    );
    session = await launchChromium({ width: 320, height: 240 });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await server?.close();
    await rm(ROOT, { recursive: true, force: true });
  });

  it('the READMEs have a browser block per modality, and every check names one', () => {
    const keys = BLOCKS.map((b) => `${b.file}#${b.browser!}`);
    expect(keys).toEqual(expect.arrayContaining(['README.md#image', 'README.md#speech', 'README.md#text']));
    for (const k of Object.keys(CHECKS)) expect(keys, k).toContain(k);
  });

  it('every browser block runs in a page and does what it says', async () => {
    for (const b of BLOCKS) {
      const key = `${b.file}#${b.browser!}`;
      const where = `${b.file}:${b.line}`;
      session.log.length = 0;
      await session.page.goto(`${server.url}${names.get(key)!}.html`);
      await session.page.waitForFunction(() => 'blockDone' in globalThis || 'blockError' in globalThis, undefined, { timeout: 180_000 });
      const error = await session.page.evaluate(() => (globalThis as { blockError?: string }).blockError);
      const log = session.log.join('\n');
      expect(error, `${where}: the block threw\n${log}`).toBeUndefined();
      expect(CHECKS[key], `${where}: CHECKS has no entry for ${key}`).toBeDefined();
      expect(log, where).toMatch(CHECKS[key].output);
    }
  }, 600_000);
});
