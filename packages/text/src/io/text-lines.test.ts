import { describe, expect, it } from 'vitest';
import { createRng, DecodeError, UnsupportedFormatError } from '@latentkit/core';
import { decodeText, splitLines } from './text-lines.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('decodeText', () => {
  it('reads UTF-8 with and without a byte-order mark, and UTF-16 LE/BE with one', () => {
    const text = 'naïve café: 日本 🙂';
    expect(decodeText(utf8(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(text)]))).toEqual({ text, encoding: 'utf-8' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(new Uint8Array(le))).toEqual({ text, encoding: 'utf-16le' });
    expect(decodeText(new Uint8Array(be))).toEqual({ text, encoding: 'utf-16be' });
  });

  it('refuses invalid UTF-8 naming the byte, UTF-16 cut short or without a mark, and UTF-32', () => {
    const cases: [number[], RegExp][] = [
      [[0x61, 0xe9, 0x62], /byte 1 is 0xe9/],
      [[0x61, 0xc0, 0xaf], /byte 1/], // overlong '/'
      [[0xed, 0xa0, 0x80], /byte 0/], // a UTF-16 surrogate encoded in UTF-8
      [[0x61, 0xe2, 0x82], /byte 1/], // cut in the middle of a character
      [[0xff, 0xfe, 0x61], /odd number of bytes/],
      [[0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00], /unpaired surrogate/],
      [[0x68, 0x00, 0x69, 0x00], /NUL byte/],
    ];
    for (const [bytes, msg] of cases) {
      expect(() => decodeText(Uint8Array.from(bytes), 'f.txt'), msg.source).toThrow(DecodeError);
      expect(() => decodeText(Uint8Array.from(bytes), 'f.txt')).toThrow(msg);
    }
    expect(() => decodeText(Uint8Array.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]))).toThrow(UnsupportedFormatError);
  });

  it('accepts exactly the byte strings a strict UTF-8 decoder accepts (10,000 random ones)', () => {
    const rng = createRng(7);
    const strict = new TextDecoder('utf-8', { fatal: true });
    let valid = 0;
    for (let t = 0; t < 10_000; t++) {
      // Mostly multi-byte lead and continuation bytes, so both outcomes are common; no NUL, no mark.
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rng() * 8) }, () => 1 + Math.floor(rng() < 0.3 ? rng() * 127 : 128 + rng() * 127));
      if (bytes[0] === 0xef || bytes[0] === 0xff || bytes[0] === 0xfe) continue;
      let ok = true;
      try {
        strict.decode(bytes);
      } catch {
        ok = false;
      }
      valid += ok ? 1 : 0;
      if (ok) expect(decodeText(bytes).text).toBe(strict.decode(bytes));
      else expect(() => decodeText(bytes), [...bytes].map((b) => b.toString(16)).join(' ')).toThrow(DecodeError);
    }
    expect(valid).toBeGreaterThan(500);
  });
});

describe('splitLines', () => {
  it('splits at CR, LF and CRLF, mixed, without an empty last line', () => {
    expect(splitLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitLines('a\r\r\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});
