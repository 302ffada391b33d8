/**
 * Each package's browser entry, reached the way a page's bundler reaches it (`import ... from
 * '@latentkit/<name>'` with esbuild's browser platform, which selects the `browser` export
 * condition), bundles with no Node built-in and no shim: esbuild fails the build on any `node:`
 * import, and a Node module that one of our files imports while a package's `browser` field
 * disables it would show up as `(disabled)` in the metafile. tfjs's own browser-field
 * substitutions (the Node branch of its wasm glue) are tfjs's design and are allowed.
 */
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(pkg: string): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: `export * from '@latentkit/${pkg}';`, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Source, like the other tests (the dist/ files are what `default` names after a build).
    conditions: ['source'],
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile };
}

/** Files of ours (not node_modules) in the bundle, with what each imports. */
function ownInputs(metafile: Metafile): [string, Metafile['inputs'][string]][] {
  return Object.entries(metafile.inputs).filter(([f]) => !f.includes('node_modules') && f !== '<stdin>');
}

describe('browser entries', () => {
  const cases: [string, string[], string[]][] = [
    // package, files the entry must include (its compute), files it must leave out (Node-only)
    ['core', ['model/tf-autoencoder.ts', 'io/url-folder.ts'], ['io/model-folder.ts', 'training/trainer.ts', 'ort/step.ts', 'ort/step-core.ts']],
    ['image', ['models/conv-ae.ts', 'models/vae.ts', 'web/web-image.ts'], ['io/read-image.ts', 'datasets/idx.ts']],
    ['audio', ['models/speech-autoencoder.ts', 'models/layers.ts', 'features/griffin-lim.ts', 'web/web-audio.ts'], ['io/read-wav.ts', 'datasets/fsdd.ts']],
    ['text', ['models/sentence-autoencoder.ts', 'models/layers.ts', 'models/fill-in.ts'], ['pretrained/sentence-encoder.ts', 'datasets/wordnet.ts']],
  ];
  for (const [pkg, included, excluded] of cases) {
    it(`@latentkit/${pkg} bundles for the browser with its models and without its Node-only files`, async () => {
      const { code, metafile } = await bundle(pkg);
      const own = ownInputs(metafile);
      for (const [file, input] of own) {
        for (const i of input.imports) expect(i.path, `${file} imports ${i.original ?? i.path}`).not.toMatch(/^\(disabled\)|^node:/);
      }
      const files = own.map(([f]) => f);
      for (const f of included) expect(files, f).toContain(`packages/${pkg}/src/${f}`);
      for (const f of excluded) expect(files, f).not.toContain(`packages/${pkg}/src/${f}`);
      expect(code.length).toBeGreaterThan(10_000);
    });
  }
});
