/**
 * @file `npx latentkit` after `npm install` in the repository: the cli package's bin is a
 * committed, executable file with a shebang (so npm links it even before the first build), the
 * install linked it into node_modules/.bin, and `npx latentkit --help` runs it without asking
 * the registry (`--no`: a missing link fails here instead of fetching a package named latentkit).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'packages', 'cli');
const run = promisify(execFile);

async function binPath(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(CLI, 'package.json'), 'utf8')) as { bin?: Record<string, string>; files?: string[] };
  expect(pkg.bin?.latentkit, 'packages/cli/package.json bin.latentkit').toBeTypeOf('string');
  return pkg.bin!.latentkit;
}

describe('the latentkit bin', () => {
  it('is a committed file with mode 755 and a node shebang, shipped in the package', async () => {
    const bin = await binPath();
    const pkg = JSON.parse(await readFile(join(CLI, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files.some((f) => bin.replace(/^\.\//, '').startsWith(f.replace(/\/$/, '')))).toBe(true);
    // The mode npm sees in a fresh clone is the one in git, not the one on this disk.
    const { stdout } = await run('git', ['ls-files', '--stage', '--', join('packages/cli', bin)], { cwd: REPO });
    expect(stdout, 'the bin is tracked by git').toMatch(/^100755 /);
    expect((await readFile(join(CLI, bin), 'utf8')).split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('is linked into node_modules/.bin by the install, and `npx latentkit --help` runs it', async () => {
    const linked = join(REPO, 'node_modules', '.bin', 'latentkit');
    expect(await realpath(linked)).toBe(await realpath(join(CLI, await binPath())));
    const { stdout } = await run('npx', ['--no', '--', 'latentkit', '--help'], { cwd: REPO, timeout: 120_000 });
    expect(stdout).toMatch(/^latentkit <command> \[options\]/m);
    expect(stdout).toContain('latentkit encode <modality>');
  }, 150_000);

  it('says to build when dist/ is missing, instead of a module-not-found trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lk-bin-'));
    try {
      await mkdir(join(dir, 'bin'));
      await copyFile(join(CLI, await binPath()), join(dir, 'bin', 'latentkit.js'));
      await copyFile(join(CLI, 'package.json'), join(dir, 'package.json'));
      const e = await run(process.execPath, [join(dir, 'bin', 'latentkit.js'), '--help']).then(() => undefined, (x: { code: number; stderr: string }) => x);
      expect(e?.code).toBe(1);
      expect(e?.stderr).toMatch(/^latentkit: the command line is not built/);
      expect(e?.stderr).toMatch(/hint: run `npm run build`/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
