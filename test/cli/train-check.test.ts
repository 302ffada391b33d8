/**
 * @file `latentkit train` and the collapse check, as a user meets them: the verdict printed with
 * its numbers, `--strict` exiting 1 (and saving nothing) for a model that did not learn and 0
 * for one that did, and `--size`/`--channels` on a folder of RGB images recorded in the config.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLatentkit } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-cli-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VERDICT = /^collapse check on \d+ inputs: .* reconstruction error [\d.e-]+ is [\d.]+x the mean-input baseline's [\d.e-]+; outputs vary [\d.]+x as much as the inputs$/m;

describe('latentkit train: the collapse check and --strict', () => {
  it('says plainly that an undertrained model did not learn; --strict exits 1 and saves nothing', async () => {
    const under = ['train', 'image', '--arch', 'dense', '--latent-dim', '4', '--count', '64', '--epochs', '1', '--lr', '0.000001', '--val-split', '0'];
    const lax = await runLatentkit([...under, '--out', join(dir, 'lax')], { timeoutMs: 120_000 });
    expect(lax.code, lax.stderr).toBe(0);
    expect(lax.stdout).toMatch(VERDICT);
    expect(lax.stdout).toMatch(/DID NOT LEARN/);
    expect(existsSync(join(dir, 'lax', 'latentkit.json'))).toBe(true);

    const strict = await runLatentkit([...under, '--strict', '--out', join(dir, 'strict')], { timeoutMs: 120_000 });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/DID NOT LEARN/);
    expect(strict.stderr).toMatch(/^latentkit: the trained image model did not learn \(collapse check above\); --strict: nothing saved/m);
    expect(existsSync(join(dir, 'strict', 'latentkit.json'))).toBe(false);
  }, 240_000);

  it('--strict exits 0 for a model that learned', async () => {
    const r = await runLatentkit(
      ['train', 'image', '--arch', 'dense', '--latent-dim', '16', '--count', '320', '--epochs', '40', '--batch-size', '32', '--lr', '0.002', '--val-split', '0', '--strict', '--out', join(dir, 'good')],
      { timeoutMs: 300_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(VERDICT);
    expect(r.stdout).toMatch(/: learned — /);
    expect(existsSync(join(dir, 'good', 'latentkit.json'))).toBe(true);
  }, 320_000);

  it('--size/--channels read a folder of RGB photos as told and the config records it; bad values are one-line errors', async () => {
    for (const cls of ['x', 'y']) {
      await mkdir(join(dir, 'photos', cls), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const px = Buffer.alloc(64 * 48 * 3, i * 40 + (cls === 'x' ? 0 : 20));
        await sharp(px, { raw: { width: 64, height: 48, channels: 3 } }).png().toFile(join(dir, 'photos', cls, `${i}.png`));
      }
    }
    const r = await runLatentkit(['train', 'image', '--data', join(dir, 'photos'), '--size', '16x12', '--channels', '3', '--arch', 'dense', '--latent-dim', '2', '--epochs', '1', '--out', join(dir, 'rgb')], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/read at 16x12 RGB, resized to cover and centre-cropped/);
    const saved = JSON.parse(await readFile(join(dir, 'rgb', 'latentkit.json'), 'utf8')) as { config: { inputShape: number[]; input: unknown } };
    expect(saved.config.inputShape).toEqual([12, 16, 3]);
    expect(saved.config.input).toEqual({ fit: 'cover', background: 'black' });

    const bad = await runLatentkit(['train', 'image', '--data', join(dir, 'photos'), '--size', '16by12', '--out', join(dir, 'bad')], { timeoutMs: 120_000 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^latentkit: --size must be WIDTHxHEIGHT/m);
    const badC = await runLatentkit(['train', 'image', '--data', join(dir, 'photos'), '--channels', '2', '--out', join(dir, 'bad')], { timeoutMs: 120_000 });
    expect(badC.code).toBe(1);
    expect(badC.stderr).toMatch(/--channels must be 1 \(grayscale\) or 3 \(RGB\), got 2/);
  }, 360_000);
});
