import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, EmptyInputError } from '@latentkit/core';
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

  it('reads CR-only and mixed line endings, and UTF-16 with a byte-order mark, as the same sentences', async () => {
    const want = ['first line', 'second', 'third café'];
    await writeFile(join(dir, 'cr.txt'), 'first line\rsecond\rthird café\r');
    await writeFile(join(dir, 'mixed.txt'), 'first line\r\nsecond\rthird café\n');
    const utf16 = (le: boolean) => {
      const units = [...'first line\r\nsecond\nthird café'].map((ch) => ch.charCodeAt(0));
      const b = Buffer.alloc(2 + units.length * 2);
      b.writeUInt16LE(le ? 0xfeff : 0xfffe, 0);
      units.forEach((u, i) => (le ? b.writeUInt16LE(u, 2 + i * 2) : b.writeUInt16BE(u, 2 + i * 2)));
      return b;
    };
    await writeFile(join(dir, 'le.txt'), utf16(true));
    await writeFile(join(dir, 'be.txt'), utf16(false));
    for (const f of ['cr.txt', 'mixed.txt', 'le.txt', 'be.txt']) expect(await readSentences(join(dir, f)), f).toEqual(want);
  });

  it('refuses invalid UTF-8 and UTF-16 without a byte-order mark with a DecodeError naming the file', async () => {
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await writeFile(join(dir, 'nobom16.txt'), Buffer.from('hello\n', 'utf16le'));
    for (const f of ['latin1.txt', 'nobom16.txt']) {
      const e = await readSentences(join(dir, f)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).message).toContain(f);
    }
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
