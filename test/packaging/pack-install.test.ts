/**
 * @file Every package `npm pack`s into a tarball that installs into an empty folder offline and
 * runs its README example there, with no path back into this repository.
 *
 * Packed once (from the built packages; the test command builds first). Each tarball must hold
 * its LICENSE, README and a `repository` with its `directory`, and every source map in it must
 * name only files the tarball holds, or embed their text (`sourcesContent`). The install: a folder outside the repository with a
 * package.json depending on the six tarballs and a lockfile made from this repository's own
 * (the same third-party versions and integrity hashes, the workspace links replaced by the
 * tarballs), installed with `npm ci --offline --ignore-scripts`: every tarball comes from npm's
 * cache, which `npm ci` of this repository filled, and nothing is fetched or built. Then the
 * first code block of each package README runs there under plain Node (types stripped by
 * esbuild, training cut to 1 epoch as in the README test), the explorer's server answers, and
 * the CLI README's commands run against the installed `latentkit` bin.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessRun } from '../lib/run-process.js';
import { quick, readmeBlocks } from '../readme/blocks.js';

const REPO = resolve(import.meta.dirname, '..', '..');
/** Every workspace package, by short name (`packages/core` -> `core`). */
const PACKAGES = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.map((w) => w.replace(/^packages\//, ''));
/** Packages that have no README yet, so no README example to run (why). */
const NO_README: Record<string, string> = {};
/** Packages whose README's first example does not run outside the repository yet (why). */
const NO_EXAMPLE: Record<string, string> = {
  store: 'its example needs a trained model folder, codes of two modalities and a fitted map',
  server: 'its example is a long-running server script, which this test does not drive yet (the README test does)',
};
const run = promisify(execFile);

let tmp: string;
let packs: string;
let consumer: string;
/** Tarball path by package short name. */
const tarballs = new Map<string, string>();

interface LockEntry {
  version?: string;
  link?: boolean;
  dev?: boolean;
  [k: string]: unknown;
}

/** A lockfile for `consumer` that installs the tarballs and this repository's third-party versions. */
async function consumerLock(deps: Record<string, string>): Promise<object> {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {};
  for (const n of PACKAGES) {
    const { name: _name, ...entry } = lock.packages[`packages/${n}`] as LockEntry & { name: string };
    const integrity = `sha512-${createHash('sha512').update(await readFile(tarballs.get(n)!)).digest('base64')}`;
    packages[`node_modules/@latentkit/${n}`] = { ...entry, resolved: deps[`@latentkit/${n}`], integrity };
  }
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link || entry.dev) continue; // the root, workspace links, tools of this repository
    const nested = /^packages\/([^/]+)\/(node_modules\/.*)$/.exec(key); // a workspace's own copy of a dependency
    if (nested) packages[`node_modules/@latentkit/${nested[1]}/${nested[2]}`] = entry;
    else if (key.startsWith('node_modules/') && !key.startsWith('node_modules/@latentkit/')) packages[key] = entry;
  }
  return { name: 'lk-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'lk-consumer', version: '1.0.0', dependencies: deps }, ...packages } };
}

/** Runs a command in the consumer folder; npm and npx in there never ask the registry. */
function sh(cmd: string, args: string[], timeoutMs: number, onLine?: (line: string, stop: () => void) => void): Promise<ProcessRun> {
  return runProcess(cmd, args, { cwd: consumer, env: { ...process.env, npm_config_offline: 'true' }, timeoutMs, onLine });
}

/** The first ts block of a package README, as plain JavaScript. */
async function firstExample(pkg: string): Promise<string> {
  const block = (await readmeBlocks(REPO, `packages/${pkg}/README.md`)).find((b) => b.lang === 'ts' && !b.skip);
  expect(block, `packages/${pkg}/README.md has a ts example`).toBeDefined();
  return (await transform(quick(block!.code, 'ts'), { loader: 'ts', format: 'esm' })).code;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lk-pack-'));
  packs = join(tmp, 'packs');
  consumer = join(tmp, 'consumer');
  await mkdir(packs);
  await mkdir(consumer);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packs, ...PACKAGES.flatMap((p) => ['-w', `@latentkit/${p}`])], { cwd: REPO, maxBuffer: 64 << 20 });
  for (const p of JSON.parse(stdout) as { name: string; filename: string }[]) tarballs.set(p.name.replace('@latentkit/', ''), join(packs, p.filename));
  expect([...tarballs.keys()].sort()).toEqual([...PACKAGES].sort());
}, 300_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('hold LICENSE, README, a repository with directory, and source maps that name only files they hold', async () => {
    for (const n of PACKAGES) {
      const dir = join(tmp, 'unpacked', n);
      await mkdir(dir, { recursive: true });
      await run('tar', ['-xzf', tarballs.get(n)!, '-C', dir]);
      const root = join(dir, 'package');
      const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { license: string; repository: { type: string; url: string; directory: string } };
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${n}` });
      expect(await readFile(join(root, 'LICENSE'), 'utf8')).toBe(await readFile(join(REPO, 'LICENSE'), 'utf8'));
      expect(existsSync(join(root, 'README.md')), `${n} ships its README`).toBe(!(n in NO_README));
      const files = (await readdir(root, { recursive: true })).map(String);
      expect(files.filter((f) => /\.test\.(ts|js)$/.test(f)), `${n}: tests are not shipped`).toEqual([]);
      const maps = files.filter((f) => f.endsWith('.map'));
      expect(maps.length, `${n} has source maps`).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const m of maps) {
        const map = JSON.parse(await readFile(join(root, m), 'utf8')) as { sources: string[]; sourceRoot?: string; sourcesContent?: (string | null)[] };
        map.sources.forEach((s, i) => {
          // A source is there when the tarball holds it, or when the map carries its text
          // (the explorer's page bundle embeds the core and library sources it was built from).
          if (typeof map.sourcesContent?.[i] === 'string') return;
          const target = resolve(dirname(join(root, m)), map.sourceRoot ?? '', s);
          if (!target.startsWith(root + '/') || !existsSync(target)) missing.push(`${m} -> ${s}`);
        });
      }
      expect(missing, `${n}: source maps naming files outside the tarball`).toEqual([]);
    }
  }, 120_000);

  it('install offline into an empty folder and run their README examples', async () => {
    const deps = Object.fromEntries(PACKAGES.map((n) => [`@latentkit/${n}`, `file:${relative(consumer, tarballs.get(n)!)}`]));
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'lk-consumer', version: '1.0.0', private: true, type: 'module', dependencies: deps }, null, 2));
    await writeFile(join(consumer, 'package-lock.json'), JSON.stringify(await consumerLock(deps), null, 2));
    await writeFile(join(consumer, '.npmrc'), 'onnxruntime-node-install=skip\nfund=false\naudit=false\n');
    const install = await sh('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], 600_000);
    expect(install.code, install.out.slice(-3000)).toBe(0);
    // Nothing resolves back into the repository: the packages are copies, not links.
    for (const n of PACKAGES) expect(existsSync(join(consumer, 'node_modules', '@latentkit', n, 'src', 'index.ts')), n).toBe(true);
    expect(relative(REPO, consumer).startsWith('..')).toBe(true);

    // Fixtures the README examples read, and each package's first example.
    await mkdir(join(consumer, 'out'));
    await writeFile(join(consumer, 'out', 'mnist.npy'), (await import('@latentkit/core')).encodeNpy({ data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), rows: 10, cols: 4 }));
    const examples = await Promise.all(PACKAGES.filter((n) => n !== 'cli' && !(n in NO_README) && !(n in NO_EXAMPLE)).map(async (n) => [n, await firstExample(n)] as const));
    for (const [n, code] of examples) await writeFile(join(consumer, `${n}-example.mjs`), code);
    const results: [string, { code: number | null; out: string }][] = [];
    for (const [n] of examples) {
      if (n === 'explorer') {
        let status: number | undefined;
        let fetching: Promise<void> | undefined;
        const r = await sh(process.execPath, [`${n}-example.mjs`], 120_000, (line, stop) => {
          const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
          if (url && !fetching) fetching = fetch(url).then((resp) => void (status = resp.status)).finally(stop);
        });
        await fetching;
        expect(status, `explorer from its tarball serves its page\n${r.out.slice(-2000)}`).toBe(200);
        continue;
      }
      results.push([n, await sh(process.execPath, [`${n}-example.mjs`], 300_000)]);
    }
    for (const [n, r] of results) expect(r.code, `${n} README example from the tarball\n${r.out.slice(-3000)}`).toBe(0);
    expect(existsSync(join(consumer, 'models', 'pictures', 'latentkit.json'))).toBe(true); // core's example saved its model
    expect(existsSync(join(consumer, 'converted.wav'))).toBe(true); // audio's
    expect(existsSync(join(consumer, 'grid.png'))).toBe(true); // image's

    // The CLI README's commands, against the installed bin (npx finds it in node_modules/.bin).
    const cli = (await readmeBlocks(REPO, 'packages/cli/README.md')).find((b) => b.lang === 'sh' && !b.skip)!;
    const r = await sh('bash', ['-e', '-o', 'pipefail', '-c', cli.code], 300_000);
    expect(r.code, r.out.slice(-3000)).toBe(0);
    expect(r.out).toMatch(/latentkit encode <modality>/);
  }, 1_500_000);
});
