// Bundles the explorer page (src/page) for the browser into dist/page: one module for the
// page, one for its worker, plus the static HTML and CSS. `browser` resolves @latentkit/core
// to its browser entry, so a Node built-in reaching the page fails this build.
import { copyFile, mkdir } from 'node:fs/promises';
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
  target: 'es2022',
  conditions: ['browser'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) await copyFile(join(root, 'src/page', f), join(out, f));
