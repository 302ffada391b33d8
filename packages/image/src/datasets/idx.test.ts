import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, DecodeError, EmptyInputError, InputTooLargeError } from '@latentkit/core';
import { decodeIdx, loadMnist, readIdx } from './idx.js';

/** An IDX file written byte by byte: magic 00 00 <type> <ndim>, big-endian dims, then data. */
function idx(type: number, dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeIdx', () => {
  const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 7) % 256);
  const file = idx(0x08, [3, 4, 5], pixels);

  it('decodes raw and gzipped uint8 files to the same shape and values', () => {
    for (const bytes of [file, gzipSync(file)]) {
      const a = decodeIdx(bytes, 'x.idx');
      expect(a.type).toBe('uint8');
      expect(a.shape).toEqual([3, 4, 5]);
      expect(Array.from(a.data)).toEqual(Array.from(pixels));
    }
  });

  it('decodes big-endian multi-byte types', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setInt16(0, -2, false);
    new DataView(data.buffer).setInt16(2, 300, false);
    new DataView(data.buffer).setFloat32(4, 1.5, false);
    // float32 1.5 is 3f c0 00 00 big-endian, read as two int16s: 0x3fc0 = 16320 and 0.
    expect(Array.from(decodeIdx(idx(0x0b, [4], data)).data)).toEqual([-2, 300, 16320, 0]);
    const f = decodeIdx(idx(0x0d, [1], data.subarray(4)));
    expect(f.type).toBe('float32');
    expect(Array.from(f.data)).toEqual([1.5]);
  });

  it('rejects a wrong magic number, naming the file', () => {
    const bad = Uint8Array.from(file);
    bad[0] = 0x1a; // e.g. a PNG or a text file
    expect(() => decodeIdx(bad, 'train-images-idx3-ubyte')).toThrow(DecodeError);
    expect(() => decodeIdx(bad, 'train-images-idx3-ubyte')).toThrow(/train-images-idx3-ubyte: not an IDX file: magic is 0x1a000803/);
    const badType = Uint8Array.from(file);
    badType[2] = 0x07;
    expect(() => decodeIdx(badType)).toThrow(/<buffer>: not an IDX file/);
  });

  it('rejects short and over-long data with expected vs found', () => {
    expect(() => decodeIdx(file.subarray(0, file.length - 1), 'f')).toThrow(/f: header says uint8\[3 x 4 x 5\] = 60 data bytes, found 59 \(file truncated\)/);
    const longer = new Uint8Array(file.length + 3);
    longer.set(file);
    expect(() => decodeIdx(longer, 'f')).toThrow(/found 63 \(trailing bytes\)/);
    expect(() => decodeIdx(file.subarray(0, 10), 'f')).toThrow(/header declares 3 dimensions \(16 header bytes\) but the file has 10 bytes/);
    expect(() => decodeIdx(new Uint8Array(0), 'f')).toThrow(EmptyInputError);
  });

  it('never allocates from a bogus header: 4G x 4G x 4G is refused by the length check', () => {
    const bogus = idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(8));
    expect(() => decodeIdx(bogus, 'bogus')).toThrow(DecodeError);
  });

  it('caps gunzip output (a small gzip bomb stops at maxBytes)', () => {
    const zeros = idx(0x08, [1024, 1024], new Uint8Array(1024 * 1024));
    const gz = gzipSync(zeros);
    expect(gz.length).toBeLessThan(5000);
    expect(() => decodeIdx(gz, 'bomb.gz', { maxBytes: 100_000 })).toThrow(InputTooLargeError);
    // The same with a lying ISIZE trailer, so the early check cannot catch it.
    const lying = Uint8Array.from(gz);
    lying.set([0, 0, 0, 0], lying.length - 4);
    expect(() => decodeIdx(lying, 'bomb.gz', { maxBytes: 100_000 })).toThrow(InputTooLargeError);
    expect(() => decodeIdx(gz.subarray(0, gz.length - 10), 'cut.gz')).toThrow(/cut\.gz: corrupt or truncated gzip data/);
  });

  it('readIdx checks the file size and existence first', async () => {
    const f = join(dir, 'a-idx3-ubyte');
    await writeFile(f, file);
    expect((await readIdx(f)).shape).toEqual([3, 4, 5]);
    await expect(readIdx(f, { maxBytes: 50 })).rejects.toThrow(InputTooLargeError);
    await expect(readIdx(join(dir, 'missing'))).rejects.toThrow(DatasetError);
  });
});

describe('loadMnist', () => {
  async function fixture(name: string, n: number, gz: boolean, labelCount = n): Promise<string> {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    const images = new Uint8Array(n * 28 * 28);
    for (let i = 0; i < n; i++) images[i * 784 + 14 * 28 + 14] = 10 * i + 5; // one marked pixel per image
    const labels = Uint8Array.from({ length: labelCount }, (_, i) => i % 10);
    const put = async (base: string, bytes: Uint8Array): Promise<void> =>
      writeFile(join(d, gz ? `${base}.gz` : base), gz ? gzipSync(bytes) : bytes);
    for (const prefix of ['train', 't10k']) {
      await put(`${prefix}-images-idx3-ubyte`, idx(0x08, [n, 28, 28], images));
      await put(`${prefix}-labels-idx1-ubyte`, idx(0x08, [labelCount], labels));
    }
    return d;
  }

  it('loads gzipped files into 28x28x1 views of one buffer', async () => {
    const d = await fixture('mnist', 12, true);
    const set = await loadMnist(d, 'train');
    expect(set.images).toHaveLength(12);
    expect(set.images[0]).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(set.images[3].data[14 * 28 + 14]).toBeCloseTo(35 / 255, 6);
    expect(set.images[3].data.buffer).toBe(set.images[0].data.buffer);
    expect(Array.from(set.labels.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    expect(set.classNames[7]).toBe('7');
    expect((await loadMnist(d, 'test', { limit: 5 })).images).toHaveLength(5);
  });

  it('loads raw files and names Fashion-MNIST classes from the folder name', async () => {
    const d = await fixture('fashion-mnist', 4, false);
    const set = await loadMnist(d, 'test');
    expect(set.classNames[9]).toBe('Ankle boot');
    expect(set.images).toHaveLength(4);
    expect((await loadMnist(d, 'test', { variant: 'mnist' })).classNames[9]).toBe('9');
  });

  it('refuses a missing file and mismatched counts with DatasetError', async () => {
    await expect(loadMnist(join(dir, 'nowhere'), 'train')).rejects.toThrow(DatasetError);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(loadMnist(empty, 'train')).rejects.toThrow(/no images file for this split; expected one of train-images-idx3-ubyte\.gz/);
    const d = await fixture('mismatch', 6, true, 5);
    await expect(loadMnist(d, 'train')).rejects.toThrow(/5 labels for 6 images/);
  });
});

// Optional: the real data, when the data folder is there (never in CI).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = resolve(root, process.env.LATENTKIT_DATA ?? '../shared/data');
const haveMnist = existsSync(join(dataDir, 'mnist', 't10k-images-idx3-ubyte.gz'));
const haveFashion = existsSync(join(dataDir, 'fashion-mnist', 't10k-images-idx3-ubyte.gz'));

describe.skipIf(!haveMnist)('real MNIST (LATENTKIT_DATA)', () => {
  it('loads the test split with the published label counts', async () => {
    const set = await loadMnist(join(dataDir, 'mnist'), 'test');
    expect(set.images).toHaveLength(10_000);
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const mean = set.images[0].data.reduce((a, b) => a + b, 0) / 784;
    expect(mean).toBeGreaterThan(0.05); // ink on black
    expect(mean).toBeLessThan(0.3);
  });
});

describe.skipIf(!haveFashion)('real Fashion-MNIST (LATENTKIT_DATA)', () => {
  it('loads the first test images with Fashion-MNIST class names', async () => {
    const set = await loadMnist(join(dataDir, 'fashion-mnist'), 'test', { limit: 100 });
    expect(set.images).toHaveLength(100);
    expect(set.classNames[set.labels[0]]).toBe('Ankle boot');
  });
});
