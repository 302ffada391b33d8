/**
 * @file `latentkit compare` refuses a k that is not smaller than n - 1 (mutual kNN would read 1
 * for any codes) and prints the chance level beside the score.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '@latentkit/core';
import { runLatentkit } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-cmp-'));
  // Two unrelated code sets of 10 rows: their true mutual kNN at small k is near chance.
  const rows = 10;
  const a = Float32Array.from({ length: rows * 3 }, (_, i) => Math.sin(i * 1.3));
  const b = Float32Array.from({ length: rows * 3 }, (_, i) => Math.cos(i * 2.9 + 1));
  await writeFile(join(dir, 'a.npy'), encodeNpy({ data: a, rows, cols: 3 }));
  await writeFile(join(dir, 'b.npy'), encodeNpy({ data: b, rows, cols: 3 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('latentkit compare: k against n - 1', () => {
  it('refuses the default k and a given k >= n - 1 on 10 rows, accepts k = n - 2 and prints chance', async () => {
    const [byDefault, nine, eight] = await Promise.all([
      runLatentkit(['compare', join(dir, 'a.npy'), join(dir, 'b.npy')]),
      runLatentkit(['compare', join(dir, 'a.npy'), join(dir, 'b.npy'), '--k', '9']),
      runLatentkit(['compare', join(dir, 'a.npy'), join(dir, 'b.npy'), '--k', '3', '--json', join(dir, 'out', 'r.json')]),
    ]);
    // Before: clamped to k = 9 and printed "mutual kNN 1.0000" for unrelated codes.
    expect(byDefault.code).toBe(2);
    expect(byDefault.stdout).not.toMatch(/mutual kNN/);
    expect(byDefault.stderr).toMatch(/default k of 10 is not smaller than n - 1 = 9/);
    expect(byDefault.stderr).toMatch(/hint: Give --k between 1 and 8/);
    expect(nine.code).toBe(2);
    expect(nine.stderr).toMatch(/--k 9 is not smaller than n - 1 = 9/);
    expect(eight.code, eight.stderr).toBe(0);
    expect(eight.stdout).toMatch(/mutual kNN\s+[01]\.\d{4} \(k=3\)/);
    expect(eight.stdout).toMatch(/chance\s+0\.3333/);
    const score = Number(/mutual kNN\s+([0-9.]+)/.exec(eight.stdout)![1]);
    expect(score).toBeLessThan(1);
  }, 120_000);
});
