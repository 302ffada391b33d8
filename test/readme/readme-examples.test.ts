/**
 * @file Every code block of README.md and packages/<name>/README.md runs, as written, so the
 * documentation cannot drift from the API: ts/js blocks as Node scripts (a fresh process each,
 * as a new user pastes them into a file: no engine set up beforehand, no model registration),
 * sh blocks with bash, both in a folder holding the files they read (readme-fixtures.ts).
 * The marker convention (`text` blocks, `skip`, `script`, `server`) is in blocks.ts.
 *
 * Training is cut short, since what is checked here is that the code runs, not how well it
 * trains: `epochs: <n>` in ts blocks and `latentkit train` without `--epochs` in sh blocks run
 * 1 epoch. `LATENTKIT_README_FULL=1` runs the blocks exactly as written.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessRun } from '../lib/run-process.js';
import { quick as quickIf, readmeBlocks, scriptSource, scriptsOf, type ReadmeBlock, type ReadmeScript } from './blocks.js';
import { makeReadmeFixtures } from './readme-fixtures.js';

const REPO = resolve(import.meta.dirname, '..', '..');
// Scripts and their working folder live inside the repository, so `@latentkit/*`, `npm run`
// and `npx latentkit` resolve from them (.vitest-tmp is ignored by git).
const ROOT = join(REPO, '.vitest-tmp', `readme-${process.pid}`);
const SCRIPTS = join(ROOT, 'scripts');
const WORK = join(ROOT, 'work');
const FULL = process.env.LATENTKIT_README_FULL === '1';
const quick = (code: string, lang: string) => (FULL ? code : quickIf(code, lang));
// `--import tsx` would resolve tsx from the working folder; give Node its absolute URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const READMES = ['README.md', ...(await readdir(join(REPO, 'packages'))).filter((p) => existsSync(join(REPO, 'packages', p, 'README.md'))).map((p) => `packages/${p}/README.md`)];

/** Extra lines after a script and what its output must show: checks that the blocks did their work. */
const CHECKS: Record<string, { append?: string; output?: RegExp; files?: string[] }> = {
  'README.md#five-image': { append: "console.log('codes', batch.shape.join('x'), 'pca', pca.nComponents);", output: /codes 1000x16 pca 2/, files: ['grid.png', 'codes.npy'] },
  'README.md#five-speech': { append: "console.log('speech parts', Object.keys(code.parts ?? {}).sort().join(','));", output: /speech parts .*content.*speaker/, files: ['converted.wav'] },
  'README.md#five-text': { output: /the cat sat on the mat/ },
  'README.md#engine': { output: /backend: (node|ort|wasm|cpu)/ },
  'README.md#serving': { output: /http:\/\/127\.0\.0\.1:\d+ \[ 1, \d+ \] meaning/ },
  'packages/server/README.md#server': { output: /serving digits on http:\/\/127\.0\.0\.1:\d+/ },
  'packages/core/README.md#pictures': { files: ['models/pictures/latentkit.json'] },
  'packages/image/README.md#glyphs': { files: ['grid.png', 'latent.png', 'models/glyphs/latentkit.json'] },
  'packages/audio/README.md#voices': { files: ['converted.wav', 'models/voices/latentkit.json'] },
  'packages/explorer/README.md#export': { output: /serve out\/explorer, then open .*index\.html/, files: ['out/explorer/index.html', 'out/explorer/sets.json', 'out/explorer/data/0/codes.npy'] },
  'packages/text/README.md#canary': { append: "console.log('decoded:', text);", output: /decoded: \S/ },
};

type Run = ProcessRun;

function spawnRun(cmd: string, args: string[], timeoutMs: number, onLine?: (line: string, stop: () => void) => void): Promise<Run> {
  return runProcess(cmd, args, { cwd: WORK, timeoutMs, onLine });
}

async function runScript(s: ReadmeScript): Promise<Run & { served?: number }> {
  const key = `${s.blocks[0].file}#${s.name}`;
  const file = join(SCRIPTS, `${s.name.replace(/[^A-Za-z0-9]+/g, '-')}.ts`);
  const blocks = s.blocks.map((b) => ({ ...b, code: quick(b.code, b.lang) }));
  await writeFile(file, `${scriptSource({ ...s, blocks })}\n${CHECKS[key]?.append ?? ''}\n`);
  if (!s.server) return spawnRun(process.execPath, ['--conditions=source', '--import', TSX, file], 300_000);
  return runServer(process.execPath, ['--conditions=source', '--import', TSX, file]);
}

/** Runs a command that starts a server: fetches the page it announces, then stops it. */
async function runServer(cmd: string, args: string[]): Promise<Run & { served?: number }> {
  let served: number | undefined;
  let fetching: Promise<void> | undefined;
  const r = await spawnRun(cmd, args, 120_000, (line, stop) => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
    if (url && !fetching) {
      fetching = fetch(url)
        .then((resp) => {
          served = resp.status;
        })
        .finally(stop);
    }
  });
  await fetching;
  return { ...r, served };
}

beforeAll(async () => {
  await mkdir(SCRIPTS, { recursive: true });
  await mkdir(WORK, { recursive: true });
  await makeReadmeFixtures(WORK);
}, 120_000);
afterAll(async () => {
  await rm(ROOT, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('every block has a language, and every skipped block says why and names paths that exist', async () => {
    const all: ReadmeBlock[] = (await Promise.all(READMES.map((f) => readmeBlocks(REPO, f)))).flat();
    expect(all.filter((b) => b.lang !== 'text').length).toBeGreaterThan(20);
    for (const b of all.filter((x) => x.skip)) {
      for (const p of b.code.match(/\b(?:packages|bench|examples)\/[\w./-]+\.\w+/g) ?? []) {
        expect(existsSync(join(REPO, p)), `${b.file}:${b.line} names ${p}`).toBe(true);
      }
    }
  });

  it('every ts/js block runs', async () => {
    const scripts = (await Promise.all(READMES.map(async (f) => scriptsOf(await readmeBlocks(REPO, f))))).flat();
    // Two at a time: each script loads tfjs, and the machine may have two cores.
    const results: { s: ReadmeScript; r: Run & { served?: number } }[] = [];
    const queue = [...scripts];
    await Promise.all(
      [0, 1].map(async () => {
        for (let s = queue.shift(); s; s = queue.shift()) results.push({ s, r: await runScript(s) });
      }),
    );
    for (const { s, r } of results) {
      const where = s.blocks.map((b) => `${b.file}:${b.line}`).join(', ');
      if (s.server) {
        expect(r.served, `${where}: the server answered\n${r.out.slice(-3000)}`).toBe(200);
        continue;
      }
      expect(r.code, `${where}\n${r.out.slice(-3000)}`).toBe(0);
      const check = CHECKS[`${s.blocks[0].file}#${s.name}`];
      if (check?.output) expect(r.out, where).toMatch(check.output);
      for (const f of check?.files ?? []) expect((await stat(join(WORK, f))).size, `${where}: ${f}`).toBeGreaterThan(100);
    }
    // Every check names a script that exists: renaming a script does not silently drop its check.
    const keys = new Set(scripts.map((s) => `${s.blocks[0].file}#${s.name}`));
    for (const k of Object.keys(CHECKS)) expect(keys.has(k), k).toBe(true);
  }, 1_200_000);

  it('every sh block runs', async () => {
    for (const f of READMES) {
      for (const b of await readmeBlocks(REPO, f)) {
        if (b.lang !== 'sh' || b.skip) continue;
        if (b.server) {
          const r = await runServer('bash', ['-e', '-o', 'pipefail', '-c', quick(b.code, 'sh')]);
          expect(r.served, `${b.file}:${b.line}: the server answered\n${r.out.slice(-3000)}`).toBe(200);
          continue;
        }
        const r = await spawnRun('bash', ['-e', '-o', 'pipefail', '-c', quick(b.code, 'sh')], 600_000);
        expect(r.code, `${b.file}:${b.line}\n${r.out.slice(-3000)}`).toBe(0);
      }
    }
  }, 1_200_000);
});
