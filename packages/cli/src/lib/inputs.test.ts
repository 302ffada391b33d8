import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, InputTooLargeError, type ModalityDescriptor } from '@latentkit/core';
import { expandInputs, lineNumbers, readInputs } from './inputs.js';
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

describe('readInputs', () => {
  // Lines of numbers: one sample per line, like the text modality.
  const lines = {
    name: 'lines',
    codec: { noun: 'line file', extensions: ['.txt'], unit: 'line', maxInputBytes: 64, decode: async (b: Uint8Array) => new TextDecoder().decode(b).split('\n').filter(Boolean) },
  } as unknown as ModalityDescriptor<string>;

  it('decodes every file in order and names each sample by its file', async () => {
    await mkdir(join(dir, 'txt'));
    await writeFile(join(dir, 'txt', 'b.txt'), 'three\n');
    await writeFile(join(dir, 'txt', 'a.txt'), 'one\ntwo\n');
    const r = await readInputs(lines, [join(dir, 'txt')], undefined, { quiet: true });
    expect(r.samples).toEqual(['one', 'two', 'three']);
    expect(r.names.map((n) => n.slice(-5))).toEqual(['a.txt', 'a.txt', 'b.txt']);
    expect(r.files).toHaveLength(2);
  });

  it("refuses a file over the codec's size limit, naming it", async () => {
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(65));
    await expect(readInputs(lines, [join(dir, 'big.txt')], undefined, { quiet: true })).rejects.toBeInstanceOf(InputTooLargeError);
  });

  it('numbers the samples of a file of lines, and refuses a reader that skipped blank lines', async () => {
    await writeFile(join(dir, 'gap.txt'), 'one\n\ntwo\n');
    // `lines` drops empty lines, as a careless codec would: rows would shift against line numbers.
    await expect(readInputs(lines, [join(dir, 'gap.txt')], undefined, { quiet: true })).rejects.toThrow(/gap\.txt:2: blank line/);
    const r = await readInputs(lines, [join(dir, 'txt')], undefined, { quiet: true });
    expect(r.lines).toEqual([1, 2, 1]);
  });
});

describe('lineNumbers', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('counts CR, LF and CRLF lines, UTF-16 with a mark, and a missing final line end', () => {
    expect(lineNumbers(bytes('a\r\nb\rc'), 3, 'f')).toEqual([1, 2, 3]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x\ny\n', 'utf16le')]);
    expect(lineNumbers(new Uint8Array(utf16), 2, 'f')).toEqual([1, 2]);
  });
  it('gives no numbers when the counts differ for another reason (a header line)', () => {
    expect(lineNumbers(bytes('x,y\n1,2\n3,4\n'), 2, 'f')).toEqual([undefined, undefined]);
  });
  it('refuses exactly the case of dropped blank lines, naming the first', () => {
    expect(() => lineNumbers(bytes('a\n  \nb\n\n'), 2, 'f.txt')).toThrow(EmptyInputError);
    expect(() => lineNumbers(bytes('a\n  \nb\n'), 2, 'f.txt')).toThrow(/f\.txt:2: blank line/);
  });
});
