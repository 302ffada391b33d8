// Bundles the explorer page (src/page) for the browser into dist/page: one module for the
// page, one for its worker, the live decoder's chunk, the static HTML and CSS, and tfjs's
// .wasm binaries. `browser` resolves @latentkit/core
// to its browser entry, so a Node built-in reaching the page fails this build.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'page');
await mkdir(out, { recursive: true });
await build({
  entryPoints: { explorer: join(root, 'src/page/main.ts'), worker: join(root, 'src/page/worker.ts') },
  outdir: out,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  // The live decoder (tfjs and the model classes) is its own chunk, loaded when a model is served.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'es2022',
  conditions: ['browser'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) await copyFile(join(root, 'src/page', f), join(out, f));
// tfjs's wasm backend fetches its binaries from the page's folder (decoder.ts sets the path).
const require = createRequire(import.meta.url);
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json', { paths: [join(root, '../core')] }));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) await copyFile(join(wasmDir, 'dist', f), join(out, f));
