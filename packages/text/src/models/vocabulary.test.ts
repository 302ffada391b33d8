import { describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { CharVocabulary, defaultCharacters, MASK_ID, normalizeSentence, PAD_ID, UNK_ID, UNKNOWN_CHAR } from './vocabulary.js';

describe('CharVocabulary', () => {
  const v = new CharVocabulary(defaultCharacters());

  it('covers printable ASCII except the gap marker, after 3 specials', () => {
    expect(v.size).toBe(97);
    expect(v.idOf('_')).toBe(MASK_ID);
    expect(v.idOf('a')).toBeGreaterThanOrEqual(3);
  });

  it('round-trips text through ids, padding the rest', () => {
    const ids = v.textToIds('a cat!', 10);
    expect(Array.from(ids.slice(6))).toEqual([PAD_ID, PAD_ID, PAD_ID, PAD_ID]);
    expect(v.idsToText(ids)).toBe('a cat!');
  });

  it('maps non-Latin characters and emoji to one unknown id each', () => {
    const ids = v.textToIds('кот 🐈', 8);
    expect(Array.from(ids.slice(0, 5))).toEqual([UNK_ID, UNK_ID, UNK_ID, v.idOf(' '), UNK_ID]);
    expect(v.idsToText(ids)).toBe(`${UNKNOWN_CHAR.repeat(3)} ${UNKNOWN_CHAR}`);
  });

  it('refuses the gap marker, duplicates and multi-character entries', () => {
    expect(() => new CharVocabulary(['a', '_'])).toThrow(InvalidArgumentError);
    expect(() => new CharVocabulary(['a', 'a'])).toThrow(InvalidArgumentError);
    expect(() => new CharVocabulary(['ab'])).toThrow(InvalidArgumentError);
  });

  it('saves as JSON and rejects malformed files', () => {
    expect(CharVocabulary.fromJSON(JSON.stringify(v.toJSON())).chars).toEqual(v.chars);
    expect(() => CharVocabulary.fromJSON('{"format":"x"}')).toThrow(ModelFormatError);
    expect(() => CharVocabulary.fromJSON(new Uint8Array([0xff, 0xfe]))).toThrow(ModelFormatError);
  });
});

describe('normalizeSentence', () => {
  it('collapses whitespace and trims', () => {
    expect(normalizeSentence('  a \t cat\n sat  ', 64)).toEqual({ text: 'a cat sat', truncated: false });
  });

  it('composes to NFC', () => {
    expect(normalizeSentence('cafe\u0301', 64).text).toBe('caf\u00e9');
  });

  it('throws EmptyInputError for empty and whitespace-only text, naming the index', () => {
    expect(() => normalizeSentence('', 64, 3)).toThrow(EmptyInputError);
    expect(() => normalizeSentence(' \n\t ', 64)).toThrow(/whitespace only/);
    expect(() => normalizeSentence('', 64, 3)).toThrow(/Sentence 3/);
  });

  it('cuts long text to maxLength code points, in time bounded by the output', () => {
    const huge = 'word '.repeat(2_000_000); // 10 MB
    const t0 = performance.now();
    const r = normalizeSentence(huge, 16);
    expect(performance.now() - t0).toBeLessThan(250);
    expect(r.truncated).toBe(true);
    expect(r.text).toBe('word word word w');
    expect(normalizeSentence('word word', 16).truncated).toBe(false);
  });

  it('rejects non-strings with InvalidArgumentError', () => {
    expect(() => normalizeSentence(42 as unknown as string, 8)).toThrow(InvalidArgumentError);
  });
});
