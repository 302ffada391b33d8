import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, PathEscapeError } from '@latentkit/core';
import { openOutputDir, openOutputFile } from './output.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'lk-out-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('openOutputDir', () => {
  it('creates the folder and writes files atomically inside it, creating sub-folders', async () => {
    const out = await openOutputDir(join(base, 'a', 'b'));
    const p = await out.write('images/grid.png', new Uint8Array([1, 2, 3]));
    expect(p).toBe(join(out.path, 'images', 'grid.png'));
    expect([...(await readFile(p))]).toEqual([1, 2, 3]);
    // No temp files are left behind.
    expect(await readdir(join(out.path, 'images'))).toEqual(['grid.png']);
  });

  it('refuses names with .. or absolute paths', async () => {
    const out = await openOutputDir(base);
    await expect(out.write('../escape.txt', 'x')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(out.write('a/../../escape.txt', 'x')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(out.write('/etc/passwd', 'x')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(readdir(join(base, '..'))).resolves.not.toContain('escape.txt');
  });

  it('with a root, resolves --out relative to it and refuses to leave it', async () => {
    const root = join(base, 'root');
    const out = await openOutputDir('results', { root });
    expect(out.path.endsWith(join('root', 'results'))).toBe(true);
    await expect(openOutputDir('../x', { root })).rejects.toBeInstanceOf(PathEscapeError);
    await expect(openOutputDir(join(base, 'elsewhere'), { root })).rejects.toBeInstanceOf(PathEscapeError);
    await expect(readdir(base)).resolves.not.toContain('x');
    await expect(readdir(base)).resolves.not.toContain('elsewhere');
  });

  it('does not follow a link that leads out of the output folder, and creates nothing through it', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    const root = join(base, 'root');
    await mkdir(root);
    await symlink(outside, join(root, 'link'));
    const out = await openOutputDir(root);
    await expect(out.write('link/file.txt', 'x')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(out.write('link/deeper/file.txt', 'x')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(openOutputDir('link/sub', { root })).rejects.toBeInstanceOf(PathEscapeError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows a link that stays inside the output folder', async () => {
    await mkdir(join(base, 'real'));
    await symlink(join(base, 'real'), join(base, 'alias'));
    const out = await openOutputDir(base);
    await out.write('alias/f.txt', 'ok');
    expect(await readFile(join(base, 'real', 'f.txt'), 'utf8')).toBe('ok');
  });

  it('refuses to write through a file that is a symbolic link', async () => {
    const target = join(base, 'secret.txt');
    await writeFile(target, 'keep');
    const dir = join(base, 'out');
    await mkdir(dir);
    await symlink(target, join(dir, 'report.html'));
    const out = await openOutputDir(dir);
    await expect(out.write('report.html', 'overwritten')).rejects.toBeInstanceOf(PathEscapeError);
    expect(await readFile(target, 'utf8')).toBe('keep');
  });

  it('never overwrites an input file, under any name', async () => {
    const input = join(base, 'in.txt');
    await writeFile(input, 'input');
    const out = await openOutputDir(base, { inputs: [input] });
    await expect(out.write('in.txt', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await symlink(base, join(base, 'same'));
    await expect(out.write('same/in.txt', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readFile(input, 'utf8')).toBe('input');
  });

  it('refuses an output folder that is a file', async () => {
    await writeFile(join(base, 'f'), 'x');
    await expect(openOutputDir(join(base, 'f'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('openOutputFile', () => {
  it('writes one file and refuses to overwrite an input', async () => {
    const input = join(base, 's.txt');
    await writeFile(input, 'a\nb\n');
    await expect(openOutputFile(input, { inputs: [input] })).rejects.toBeInstanceOf(InvalidArgumentError);
    const f = await openOutputFile(join(base, 'deep', 's.npy'), { inputs: [input] });
    await f.write('data');
    expect(await readFile(join(base, 'deep', 's.npy'), 'utf8')).toBe('data');
  });

  it('refuses a file path ending in a separator, and escapes of the root', async () => {
    await expect(openOutputFile(join(base, 'dir') + '/')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputFile('../s.npy', { root: base })).rejects.toBeInstanceOf(PathEscapeError);
  });
});
