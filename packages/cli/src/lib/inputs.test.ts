import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError } from '@latentkit/core';
import { expandInputs, readSentences } from './inputs.js';
import { UsageError } from './usage-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-in-'));
  await mkdir(join(dir, 'imgs', 'sub'), { recursive: true });
  for (const f of ['img10.png', 'img2.PNG', 'img1.png', 'notes.txt', '.hidden.png', 'sub/a.png']) await writeFile(join(dir, 'imgs', f), 'x');
  await symlink(join(dir, 'imgs', 'sub'), join(dir, 'imgs', 'zlink'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandInputs', () => {
  it('keeps files in the given order and lists folders by name, numbers numerically, recursively', async () => {
    const files = await expandInputs([join(dir, 'imgs', 'img10.png'), join(dir, 'imgs')], ['.png'], 'image');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['imgs/img10.png', 'imgs/img1.png', 'imgs/img2.PNG', 'imgs/img10.png', 'imgs/sub/a.png']);
  });

  it('throws for no inputs, a missing path, or a folder without matching files', async () => {
    await expect(expandInputs([], ['.png'], 'image')).rejects.toBeInstanceOf(UsageError);
    await expect(expandInputs([join(dir, 'nope')], ['.png'], 'image')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(expandInputs([join(dir, 'imgs')], ['.wav'], 'WAV')).rejects.toBeInstanceOf(EmptyInputError);
  });
});

describe('readSentences', () => {
  it('reads one trimmed sentence per line (BOM, CRLF, a final line ending)', async () => {
    await writeFile(join(dir, 's.txt'), '\uFEFF first line \r\n  second\nthird\r\n');
    expect(await readSentences(join(dir, 's.txt'))).toEqual(['first line', 'second', 'third']);
  });

  it('refuses a blank line, naming it, instead of shifting later rows', async () => {
    await writeFile(join(dir, 'b.txt'), 'one\n\t\nthree\n');
    const err = await readSentences(join(dir, 'b.txt')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmptyInputError);
    expect((err as Error).message).toMatch(/b\.txt:2: blank line/);
  });

  it('refuses an empty file and a folder', async () => {
    await writeFile(join(dir, 'e.txt'), ' \n\n');
    await expect(readSentences(join(dir, 'e.txt'))).rejects.toBeInstanceOf(EmptyInputError);
    await expect(readSentences(join(dir, 'imgs'))).rejects.toBeInstanceOf(UsageError);
  });
});
