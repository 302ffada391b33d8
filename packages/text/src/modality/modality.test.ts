import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, EmptyInputError, InputLimitError, isModalityDescriptor } from '@latentkit/core';
import { sentencesOf } from './codec.js';
import { textModality } from './descriptor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-text-modality-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('textModality', () => {
  it('reads one trimmed sentence per line (BOM, CRLF, a final line ending) and writes one per line', async () => {
    expect(isModalityDescriptor(textModality)).toBe(true);
    const bytes = new TextEncoder().encode('\uFEFF first line \r\n  second\nthird\r\n');
    expect(await textModality.codec.decode(bytes, { name: 's.txt' })).toEqual(['first line', 'second', 'third']);
    const [file] = await textModality.codec.encode(['a b', 'c']);
    expect(new TextDecoder().decode(file.bytes)).toBe('a b\nc\n');
    expect(() => sentencesOf(' \n\n', 'e.txt')).toThrow(EmptyInputError);
    expect(() => sentencesOf(' \n\n', 'e.txt')).toThrow(/e\.txt/);
    // A blank line is refused, naming it, instead of shifting later rows.
    expect(() => sentencesOf('one\n\t\nthree\n', 'b.txt')).toThrow(/b\.txt:2: blank line/);
  });

  it('refuses a sentence past limits.maxChars (code points, not UTF-16 units), naming the line and the limit', async () => {
    const bytes = new TextEncoder().encode('short\n' + '\u{1F600}'.repeat(6) + '\n' + 'x'.repeat(7) + '\n');
    // Six emoji are twelve UTF-16 units but six characters: within maxChars 6.
    const err = await textModality.codec.decode(bytes, { name: 'l.txt', limits: { maxChars: 6 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputLimitError);
    expect(err).toMatchObject({ code: 'LK_INPUT_LIMIT', limit: 'maxChars', max: 6, actual: 7 });
    expect((err as Error).message).toMatch(/l\.txt:3/);
    expect(await textModality.codec.decode(bytes, { limits: { maxChars: 7 } })).toHaveLength(3);
  });

  it('reads CR-only and mixed line endings, and UTF-16 with a byte-order mark, as the same sentences', async () => {
    const want = ['first line', 'second', 'third café'];
    const utf16 = (le: boolean) => {
      const units = [...'first line\r\nsecond\nthird café'].map((ch) => ch.charCodeAt(0));
      const b = Buffer.alloc(2 + units.length * 2);
      b.writeUInt16LE(le ? 0xfeff : 0xfffe, 0);
      units.forEach((u, i) => (le ? b.writeUInt16LE(u, 2 + i * 2) : b.writeUInt16BE(u, 2 + i * 2)));
      return new Uint8Array(b);
    };
    const inputs: [string, Uint8Array][] = [
      ['cr.txt', new TextEncoder().encode('first line\rsecond\rthird café\r')],
      ['mixed.txt', new TextEncoder().encode('first line\r\nsecond\rthird café\n')],
      ['le.txt', utf16(true)],
      ['be.txt', utf16(false)],
    ];
    for (const [name, bytes] of inputs) expect(await textModality.codec.decode(bytes, { name }), name).toEqual(want);
  });

  it('refuses invalid UTF-8 and UTF-16 without a byte-order mark with a DecodeError naming the file', async () => {
    const inputs: [string, Uint8Array][] = [
      ['latin1.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a])],
      ['nobom16.txt', new Uint8Array(Buffer.from('hello\n', 'utf16le'))],
    ];
    for (const [name, bytes] of inputs) {
      const e = await textModality.codec.decode(bytes, { name }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).message).toContain(name);
    }
  });

  it('reads a sentence file as training data, up to a limit', async () => {
    await writeFile(join(dir, 'train.txt'), 'one\ntwo\nthree\n');
    const layout = textModality.datasets[0];
    expect(await layout.detect(join(dir, 'train.txt'))).toBe(true);
    expect(await layout.detect(dir)).toBe(false);
    const data = await layout.load(join(dir, 'train.txt'), { limit: 2 });
    expect(data.samples).toEqual(['one', 'two']);
    expect(data.source).toMatch(/3 sentences/);
  });
});
