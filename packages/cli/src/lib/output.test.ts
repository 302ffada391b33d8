import { lstat, mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('inputs are never written into', () => {
  async function modelFolder(): Promise<string> {
    const model = join(base, 'model');
    await mkdir(join(model, 'weights-1', 'encoder'), { recursive: true });
    await writeFile(join(model, 'latentkit.json'), '{"keep": true}');
    await writeFile(join(model, 'weights-1', 'encoder', 'weights.bin'), 'w');
    return model;
  }

  it('refuses any output inside a folder the command reads, before creating anything', async () => {
    const model = await modelFolder();
    const inputs = [model];
    const before = await readdir(model, { recursive: true });
    await expect(openOutputFile(join(model, 'latentkit.json'), { inputs })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputFile(join(model, 'weights-1', 'encoder', 'weights.bin'), { inputs })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputDir(model, { inputs })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputDir(join(model, 'new', 'deeper'), { inputs })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputFile(join(model, 'new', 'x.npy'), { inputs })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readdir(model, { recursive: true })).toEqual(before);
    expect(await readFile(join(model, 'latentkit.json'), 'utf8')).toBe('{"keep": true}');
  });

  it('resolves links first: an output reached through a link into an input folder is refused', async () => {
    const model = await modelFolder();
    await symlink(model, join(base, 'alias'));
    const out = await openOutputDir(base, { inputs: [join(base, 'alias')] });
    await expect(out.write('model/latentkit.json', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(out.write('model/sub/f.txt', 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(openOutputFile(join(base, 'alias', 'latentkit.json'), { inputs: [model] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readdir(model)).resolves.toEqual(['latentkit.json', 'weights-1']);
    // Beside an input folder is fine.
    await out.write('codes.npy', 'ok');
    expect(await readFile(join(base, 'codes.npy'), 'utf8')).toBe('ok');
  });

  it('with --out-root, an output inside an input folder under the root is refused too', async () => {
    const root = join(base, 'root');
    await mkdir(join(root, 'data'), { recursive: true });
    await expect(openOutputDir('data/out', { root, inputs: [join(root, 'data')] })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readdir(join(root, 'data'))).toEqual([]);
  });
});

describe('symbolic links as --out: one policy', () => {
  it('refuses an --out folder that is a link, whether to a folder elsewhere, to a file or nowhere, and writes nothing', async () => {
    const elsewhere = join(base, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(base, 'file.txt'), 'keep');
    await symlink(elsewhere, join(base, 'to-dir'));
    await symlink(join(base, 'file.txt'), join(base, 'to-file'));
    await symlink(join(base, 'gone'), join(base, 'dangling'));
    for (const link of ['to-dir', 'to-file', 'dangling']) {
      await expect(openOutputDir(join(base, link))).rejects.toBeInstanceOf(PathEscapeError);
      await expect(openOutputFile(join(base, link))).rejects.toBeInstanceOf(PathEscapeError);
      await expect(openOutputDir(link, { root: base })).rejects.toBeInstanceOf(PathEscapeError);
    }
    expect(await readdir(elsewhere)).toEqual([]);
    expect(await readFile(join(base, 'file.txt'), 'utf8')).toBe('keep');
    await expect(lstat(join(base, 'gone'))).rejects.toThrow();
  });

  it('resolves links above the named output (its folder may be reached through a link)', async () => {
    await mkdir(join(base, 'real'));
    await symlink(join(base, 'real'), join(base, 'via'));
    const f = await openOutputFile(join(base, 'via', 'codes.npy'));
    await f.write('ok');
    const d = await openOutputDir(join(base, 'via', 'sub'));
    await d.write('a.txt', 'ok');
    expect((await readdir(join(base, 'real'))).sort()).toEqual(['codes.npy', 'sub']);
  });

  it('refuses a file output whose folder is a broken link', async () => {
    await symlink(join(base, 'gone'), join(base, 'broken'));
    await expect(openOutputFile(join(base, 'broken', 'codes.npy'))).rejects.toBeInstanceOf(PathEscapeError);
    await expect(lstat(join(base, 'gone'))).rejects.toThrow();
  });
});
