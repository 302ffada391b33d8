/**
 * @file Bundles the models test page (page/models-page.ts) for the browser, the way an
 * application's bundler would: esbuild, platform browser (the `browser` export condition), the
 * packages' sources. Used by test/browser/models.test.ts and `npm run bench -- browser`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tfjs-backend-wasm's binaries, which the page serves and names with setWasmPaths. */
export const WASM_DIR = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** Writes `models.js` and an `index.html` that loads it into `outDir`. */
export async function buildModelsPage(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(REPO_ROOT, 'test/browser/page/models-page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    conditions: ['source'],
    outfile: join(outDir, 'models.js'),
    logLevel: 'silent',
  });
  await writeFile(join(outDir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="models.js"></script>');
}
