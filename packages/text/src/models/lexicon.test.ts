import { describe, expect, it } from 'vitest';
import { ModelFormatError, InvalidArgumentError } from '@latentkit/core';
import { Lexicon, wordSpans } from './lexicon.js';

describe('wordSpans', () => {
  it('splits on everything but letters, digits, apostrophes and gaps', () => {
    const spans = wordSpans([...'A c_t, isn\'t 42-fold_']);
    expect(spans.map((s) => [s.start, s.chars.join('')])).toEqual([
      [0, 'A'],
      [2, 'c_t'],
      [7, "isn't"],
      [13, '42'],
      [16, 'fold_'],
    ]);
  });
});

describe('Lexicon', () => {
  const lex = Lexicon.fromTexts(['The cat sat on the mat.', 'A cut; the COT', 'cat']);

  it('counts lower-cased words', () => {
    expect(lex.counts.get('the')).toBe(3);
    expect(lex.counts.get('cat')).toBe(2);
    expect(lex.counts.get('cot')).toBe(1);
    expect(lex.total).toBe(11);
    expect(lex.size).toBe(8);
  });

  it('finds the words that agree with every known letter, most frequent first, in any case', () => {
    expect(lex.matching([...'c_t']).map(([w, n]) => [w.join(''), n])).toEqual([
      ['cat', 2],
      ['cot', 1],
      ['cut', 1],
    ]);
    expect(lex.matching([...'C_T']).length).toBe(3);
    expect(lex.matching([...'_a_']).map(([w]) => w.join(''))).toEqual(['cat', 'mat', 'sat']);
    expect(lex.matching([...'c__t'])).toEqual([]);
  });

  it('round-trips through JSON and refuses malformed files with the file named', () => {
    const again = Lexicon.fromJSON(JSON.stringify(lex.toJSON()));
    expect([...again.counts]).toEqual([...lex.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    expect(() => Lexicon.fromJSON('{', 'm/lexicon.json')).toThrow(/m\/lexicon.json is not valid/);
    expect(() => Lexicon.fromJSON(JSON.stringify({ format: 'latentkit-lexicon', version: 1, words: [['a', 0]] }), 'm/lexicon.json')).toThrow(ModelFormatError);
    expect(() => Lexicon.fromJSON(JSON.stringify({ format: 'latentkit-lexicon', version: 1, words: [['a', 1], ['a', 2]] }))).toThrow(/appears twice/);
    expect(() => Lexicon.fromJSON(JSON.stringify({ format: 'other', words: [] }))).toThrow(ModelFormatError);
    expect(() => new Lexicon(new Map([['c_t', 1]]))).toThrow(InvalidArgumentError);
  });
});
