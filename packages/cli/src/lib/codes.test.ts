import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, encodeNpy } from '@latentkit/core';
import { readCodes } from './codes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-codes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const m = { data: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.7) * (1 + (i % 3))), rows: 8, cols: 3 };

describe('readCodes', () => {
  it('reads back an [n, d] float32 .npy', async () => {
    await writeFile(join(dir, 'a.npy'), encodeNpy(m));
    const back = await readCodes(join(dir, 'a.npy'));
    expect([back.rows, back.cols]).toEqual([8, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
  });

  it('reports a broken file as a DecodeError naming it', async () => {
    await writeFile(join(dir, 'bad.npy'), 'not numpy');
    await expect(readCodes(join(dir, 'bad.npy'))).rejects.toBeInstanceOf(DecodeError);
    await expect(readCodes(join(dir, 'missing.npy'))).rejects.toThrow(/missing\.npy/);
  });
});
