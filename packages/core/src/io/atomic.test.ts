import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '@latentkit/core';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates missing folders, replaces an existing file and leaves no temporary file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lk-atomic-'));
    dirs.push(root);
    const target = join(root, 'a', 'b', 'out.txt');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, Uint8Array.from([115, 101, 99, 111, 110, 100]));
    expect(await readFile(target, 'utf8')).toBe('second');
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['out.txt']);
  });

  it('fails cleanly when the target is a folder, keeping what was there', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lk-atomic-'));
    dirs.push(root);
    await writeFile(join(root, 'keep.txt'), 'kept');
    await expect(writeFileAtomic(root, 'x')).rejects.toThrow();
    await expect(writeFileAtomic(join(root, 'keep.txt', 'child'), 'x')).rejects.toThrow();
    expect(await readFile(join(root, 'keep.txt'), 'utf8')).toBe('kept');
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
