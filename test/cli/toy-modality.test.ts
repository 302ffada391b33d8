/**
 * @file A fourth modality registered from outside (test/cli/fixtures/csv-vectors.ts, plain
 * vectors from CSV) goes through train, encode, decode and compare of the CLI, which knows
 * nothing of it: the command files iterate over descriptors only.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFloat32Npy } from './npy-check.js';
import { REPO, runLatentkit } from './run-cli.js';

const PACKAGE = ['--modality-package', join(REPO, 'test', 'cli', 'fixtures', 'csv-vectors.ts')];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-toy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Points on a line in 6-D (t, 2t, -t, ...) plus a little noise: one number explains each row. */
function rows(n: number, seed: number): number[][] {
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.02;
  return Array.from({ length: n }, (_, i) => {
    const t = (i / (n - 1)) * 2 - 1;
    return [t, 2 * t, -t, 0.5 * t, 0, -2 * t].map((v) => v + noise());
  });
}

describe('a toy modality from a --modality-package', () => {
  it('trains, encodes, decodes and compares through the CLI', async () => {
    const csv = (r: number[][]) => r.map((x) => x.join(',')).join('\n') + '\n';
    await writeFile(join(dir, 'train.csv'), csv(rows(200, 1)));
    await writeFile(join(dir, 'points.csv'), csv(rows(12, 2)));

    const help = await runLatentkit(['train', '--help', ...PACKAGE]);
    expect(help.stdout).toContain('"vector"');

    const model = join(dir, 'model');
    const train = await runLatentkit(['train', 'vector', ...PACKAGE, '--data', join(dir, 'train.csv'), '--latent-dim', '1', '--epochs', '150', '--lr', '0.01', '--batch-size', '32', '--out', model]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/saved vector\/dense-ae/);
    expect(JSON.parse(await readFile(join(model, 'latentkit.json'), 'utf8')).modality).toBe('vector');

    const enc = await runLatentkit(['encode', 'vector', ...PACKAGE, '--model', model, '--in', join(dir, 'points.csv'), '--out', join(dir, 'codes.npy')]);
    expect(enc.code, enc.stderr).toBe(0);
    const codes = await readFloat32Npy(join(dir, 'codes.npy'));
    expect(codes.shape).toEqual([12, 1]);

    // decode and reconstruct need no --modality-package flag: the environment names it too.
    const env = { LATENTKIT_MODALITY_PACKAGES: join(REPO, 'test', 'cli', 'fixtures', 'csv-vectors.ts') };
    const dec = await runLatentkit(['decode', '--model', model, '--in', join(dir, 'codes.npy'), '--out', join(dir, 'decoded')], { env });
    expect(dec.code, dec.stderr).toBe(0);
    const decoded = (await readFile(join(dir, 'decoded', 'decoded.csv'), 'utf8')).trim().split('\n').map((l) => l.split(',').map(Number));
    expect(decoded).toHaveLength(12);
    // A 1-number code of points on a line rebuilds them: the error is far below the rows' spread (~1).
    const input = rows(12, 2);
    const err = decoded.flatMap((r, i) => r.map((v, j) => (v - input[i][j]) ** 2)).reduce((a, b) => a + b, 0) / (12 * 6);
    expect(err).toBeLessThan(0.05);

    // The code is the line's one number: CKA with the true position is close to 1.
    const { encodeNpy } = await import('@latentkit/core');
    await writeFile(join(dir, 't.npy'), encodeNpy({ data: Float32Array.from(input.map((r) => r[0])), rows: 12, cols: 1 }));
    const cmp = await runLatentkit(['compare', join(dir, 'codes.npy'), join(dir, 't.npy'), '--k', '3']);
    expect(cmp.code, cmp.stderr).toBe(0);
    const cka = Number(/linear CKA\s+([0-9.]+)/.exec(cmp.stdout)![1]);
    expect(cka).toBeGreaterThan(0.9);

    // Without the package, the CLI says which modality is missing and how to add it.
    const without = await runLatentkit(['encode', 'vector', '--model', model, '--in', join(dir, 'points.csv'), '--out', join(dir, 'x.npy')]);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/vector/);
  }, 240_000);
});
