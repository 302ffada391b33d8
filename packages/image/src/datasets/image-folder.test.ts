import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, DecodeError } from '@latentkit/core';
import { loadImageFolder } from './image-folder.js';

let root: string;

async function png(path: string, value: number, size = 8): Promise<void> {
  await writeFile(path, await sharp(Buffer.alloc(size * size * 3, value), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lk-folder-'));
  // classes: 'cats' (3 images, one nested), 'dogs' (2, one JPEG); plus noise to skip.
  await mkdir(join(root, 'dogs'), { recursive: true });
  await mkdir(join(root, 'cats', 'more'), { recursive: true });
  await mkdir(join(root, '.hidden'), { recursive: true });
  await png(join(root, 'cats', 'a.png'), 10);
  await png(join(root, 'cats', 'b.PNG'), 20);
  await png(join(root, 'cats', 'more', 'c.png'), 30);
  await png(join(root, 'dogs', 'x.png'), 200, 16);
  await writeFile(join(root, 'dogs', 'y.jpg'), await sharp({ create: { width: 12, height: 12, channels: 3, background: '#fafafa' } }).jpeg().toBuffer());
  await writeFile(join(root, 'dogs', 'notes.txt'), 'not an image');
  await png(join(root, '.hidden', 'z.png'), 99);
  await png(join(root, 'top-level.png'), 99);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadImageFolder', () => {
  it('labels images by sorted subfolder name and resizes them', async () => {
    const set = await loadImageFolder(root, { width: 4, height: 4, channels: 1 });
    expect(set.classNames).toEqual(['cats', 'dogs']);
    expect(Array.from(set.labels)).toEqual([0, 0, 0, 1, 1]);
    expect(set.files.map((f) => f.slice(root.length + 1))).toEqual(['cats/a.png', 'cats/b.PNG', 'cats/more/c.png', 'dogs/x.png', 'dogs/y.jpg']);
    expect(set.images.every((im) => im.width === 4 && im.height === 4 && im.channels === 1)).toBe(true);
    expect(Math.round(set.images[1].data[0] * 255)).toBe(20);
    expect(set.skipped).toEqual([]);
  });

  it('spreads a limit over the classes instead of dropping the last ones', async () => {
    const set = await loadImageFolder(root, { width: 4, height: 4, channels: 1, limit: 3 });
    expect(Array.from(set.labels)).toEqual([0, 0, 1]);
    expect(set.files.map((f) => f.slice(root.length + 1))).toEqual(['cats/a.png', 'cats/b.PNG', 'dogs/x.png']);
    const two = await loadImageFolder(root, { limit: 2 });
    expect(Array.from(two.labels)).toEqual([0, 1]);
    expect((await loadImageFolder(root, { limit: 50 })).images).toHaveLength(5);
  });

  it('names an unreadable image, or skips it with skipUnreadable', async () => {
    const bad = join(root, 'dogs', 'broken.png');
    await writeFile(bad, 'this is text');
    try {
      await expect(loadImageFolder(root)).rejects.toThrow(DecodeError);
      await expect(loadImageFolder(root)).rejects.toThrow(/broken\.png/);
      const set = await loadImageFolder(root, { skipUnreadable: true, limit: 100 });
      expect(set.images).toHaveLength(5);
      expect(set.skipped.map((s) => s.file)).toEqual([bad]);
      expect(set.files).not.toContain(bad);
    } finally {
      await rm(bad);
    }
  });

  it('treats a folder without subfolders as one class, and refuses empty or missing folders', async () => {
    const flat = join(root, 'dogs');
    const set = await loadImageFolder(flat);
    expect(set.classNames).toEqual(['dogs']);
    expect(set.images).toHaveLength(2);
    expect(set.images[0]).toMatchObject({ width: 16, height: 16, channels: 3 });
    const empty = join(root, 'empty-class-root');
    await mkdir(join(empty, 'a'), { recursive: true });
    await expect(loadImageFolder(empty)).rejects.toThrow(DatasetError);
    await expect(loadImageFolder(join(root, 'missing'))).rejects.toThrow(DatasetError);
  });
});
