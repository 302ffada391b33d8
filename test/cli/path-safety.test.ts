/**
 * @file The CLI's hostile-path cases (the CLI run in this process; the report's own example
 * also in a child process, as a user runs it): an output
 * inside a folder the command reads (the model folder, its manifest or a weight file, `--data`,
 * an `--in` folder), an `--out` that is a symbolic link (to a folder, a file, nowhere), and a
 * model whose `latentkit.json` or weight file is a link out of the folder. Each must fail with a
 * typed error (the class is read from the `--verbose` stack) and leave everything as it was.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, readManifest } from '@latentkit/core';
import { Writable } from 'node:stream';
import { runCli } from '@latentkit/cli';
import { runLatentkit, type CliRun } from './run-cli.js';

let dir: string;
let model: string;
let png: string;
let pngs: string;

/** Runs `latentkit <args>` in this process, capturing what it prints. */
async function cli(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sink = (to: (s: string) => void) => new Writable({ write: (c, _e, cb) => (to(String(c)), cb()) });
  const code = await runCli(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

/** Every file under `root` with its sha256, to show that nothing changed. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await readdir(root, { recursive: true })).sort()) {
    const bytes = await readFile(join(root, rel)).catch(() => undefined); // folders
    out[rel] = bytes ? createHash('sha256').update(bytes).digest('hex') : 'folder';
  }
  return out;
}

/** A failed run whose error (from the --verbose stack) is of class `cls`. */
function expectRefused(r: CliRun, cls: string, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^latentkit: .*${pattern.source}`, 'm'));
  expect(r.stderr).toMatch(new RegExp(`^${cls}: `, 'm'));
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lk-paths-'));
  const { ConvImageAutoencoder, syntheticGlyphs, writePng } = await import('@latentkit/image');
  const m = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 4, filters: [4, 8] });
  model = join(dir, 'model');
  await m.save(model);
  m.dispose();
  const { images } = await syntheticGlyphs({ count: 2, seed: 1 });
  pngs = join(dir, 'pngs');
  await mkdir(pngs);
  png = join(pngs, 'a.png');
  await writePng(png, images[0]);
  await writePng(join(pngs, 'b.png'), images[1]);
});
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

describe('outputs inside what a command reads', () => {
  it('refuses --out in the model folder (its manifest, a weight file, the folder itself) and in --in and --data folders', async () => {
    const before = await snapshot(model);
    const beforeIn = await snapshot(pngs);
    const m = await readManifest(model);
    const weights = join(model, m.root, 'encoder', 'weights.bin');
    const data = join(dir, 'data');
    await mkdir(data);
    const v = '--verbose';
    const runs = [
      // The report's example, in a child process as a user runs it.
      await runLatentkit(['encode', 'image', '--model', model, '--in', png, '--out', join(model, 'latentkit.json'), v]),
      await cli(['encode', 'image', '--model', model, '--in', png, '--out', join(model, 'latentkit.json'), v]),
      await cli(['encode', 'image', '--model', model, '--in', png, '--out', weights, v]),
      await cli(['reconstruct', '--model', model, '--in', png, '--out', model, v]),
      await cli(['reconstruct', '--model', model, '--in', png, '--out', join(model, 'recon'), v]),
      await cli(['encode', 'image', '--model', model, '--in', pngs, '--out', join(pngs, 'codes.npy'), v]),
      await cli(['train', 'image', '--data', data, '--out', join(data, 'model'), '--count', '8', '--epochs', '1', v]),
    ];
    for (const r of runs) expectRefused(r, 'InvalidArgumentError', /a folder this command reads/);
    expect(await snapshot(model)).toEqual(before);
    expect(await snapshot(pngs)).toEqual(beforeIn);
    expect(await readdir(data)).toEqual([]);
    // The model is intact: it still encodes.
    const ok = await cli(['encode', 'image', '--model', model, '--in', png, '--out', join(dir, 'ok.npy')]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('symbolic links as --out', () => {
  it('refuses an --out link to a folder elsewhere, to a file and to nowhere, in train, reconstruct and encode alike', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(dir, 'precious.txt'), 'keep');
    await symlink(elsewhere, join(dir, 'link-dir'));
    await symlink(join(dir, 'precious.txt'), join(dir, 'link-file'));
    await symlink(join(dir, 'nowhere'), join(dir, 'link-dangling'));
    const train = (out: string) => cli(['train', 'image', '--count', '8', '--epochs', '1', '--out', join(dir, out), '--verbose']);
    const recon = (out: string) => cli(['reconstruct', '--model', model, '--in', png, '--out', join(dir, out), '--verbose']);
    const encode = (out: string) => cli(['encode', 'image', '--model', model, '--in', png, '--out', join(dir, out), '--verbose']);
    const links = ['link-dir', 'link-file', 'link-dangling'];
    const runs: CliRun[] = [];
    for (const l of links) runs.push(await train(l), await recon(l), await encode(l));
    for (const r of runs) expectRefused(r, 'PathEscapeError', /symbolic link/);
    expect(await readdir(elsewhere)).toEqual([]);
    expect(await readFile(join(dir, 'precious.txt'), 'utf8')).toBe('keep');
    expect(await readdir(dir)).not.toContain('nowhere');
  });
});

describe('links inside a model folder', () => {
  it('refuses a latentkit.json that is a link out of the folder, as it refuses such a weight file', async () => {
    const m = await readManifest(model);
    const viaManifest = join(dir, 'linked-manifest');
    const viaWeights = join(dir, 'linked-weights');
    for (const d of [viaManifest, viaWeights]) {
      await mkdir(join(d, m.root, 'encoder'), { recursive: true });
      await mkdir(join(d, m.root, 'decoder'), { recursive: true });
      for (const rel of Object.keys(m.files)) await writeFile(join(d, rel), await readFile(join(model, rel)));
    }
    await symlink(join(model, 'latentkit.json'), join(viaManifest, 'latentkit.json'));
    await writeFile(join(viaWeights, 'latentkit.json'), await readFile(join(model, 'latentkit.json')));
    const w = join(m.root, 'encoder', 'weights.bin');
    await rm(join(viaWeights, w));
    await symlink(join(model, w), join(viaWeights, w));
    const runs: CliRun[] = [];
    for (const d of [viaManifest, viaWeights]) runs.push(await cli(['encode', 'image', '--model', d, '--in', png, '--out', join(dir, `${d.split('/').pop()}.npy`), '--verbose']));
    for (const r of runs) expectRefused(r, 'PathEscapeError', /resolves outside the model folder/);
  });
});
