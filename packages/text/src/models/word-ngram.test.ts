import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError } from '@latentkit/core';
import { SENTENCE_END, SENTENCE_START, WordNgram } from './word-ngram.js';

const corpus = [
  ['the', 'cat', 'sat', 'on', 'the', 'mat'],
  ['the', 'cat', 'ran'],
  ['a', 'dog', 'sat', 'on', 'a', 'rug'],
  ['the', 'dog', 'sat'],
  ['the', 'cat', 'sat'],
];
const sumOver = (lm: WordNgram, words: string[], ctx: string[]) => words.reduce((t, w) => t + Math.exp(lm.logProb(ctx, w)!), 0);

describe('WordNgram', () => {
  const words = [...new Set([...corpus.flat(), SENTENCE_START, SENTENCE_END])];

  it('counts bigrams into a distribution per context that sums to one, seen pairs above unseen', () => {
    const lm = WordNgram.fromSentences(corpus, { minCount: 1 });
    for (const ctx of [[], ['the'], ['cat'], ['sat'], [SENTENCE_START]]) expect(sumOver(lm, words, ctx)).toBeCloseTo(1, 2);
    expect(lm.logProb(['cat'], 'sat')!).toBeGreaterThan(lm.logProb(['dog'], 'ran')! + 0.5);
    expect(lm.logProb(['the'], 'cat')!).toBeGreaterThan(lm.logProb(['the'], 'rug')!);
    expect(lm.logProb(['the'], 'zebra')).toBeUndefined();
    // An unknown context word cuts the history: the unigram.
    expect(lm.logProb(['zebra'], 'cat')).toBe(lm.logProb([], 'cat'));
  });

  it('prunes rare bigrams into the backoff and still sums to one', () => {
    const lm = WordNgram.fromSentences(corpus, { minCount: 2 });
    expect(lm.bigramCount).toBeLessThan(WordNgram.fromSentences(corpus, { minCount: 1 }).bigramCount);
    expect(sumOver(lm, words, ['the'])).toBeCloseTo(1, 2);
    expect(() => WordNgram.fromSentences(corpus, { minCount: 0 })).toThrow(InvalidArgumentError);
    expect(() => WordNgram.fromSentences([])).toThrow(InvalidArgumentError);
  });

  // A hand-made trigram model: p(mat | on the) is stored; p(met | on the) backs off.
  const tri = WordNgram.fromTables({
    words: ['on', 'the', 'mat', 'met'],
    unigram: Float32Array.from([0.3, 0.4, 0.1, 0.2], Math.log),
    backoff: Float32Array.from([Math.log(0.5), Math.log(0.8), 0, 0]),
    bigramContext: Uint32Array.from([0, 1]),
    bigramWord: Uint32Array.from([1, 3]),
    bigramLogProb: Float32Array.from([0.9, 0.3], Math.log),
    bigramBackoff: Float32Array.from([Math.log(0.25), 0]),
    trigramBigram: Uint32Array.from([0]),
    trigramWord: Uint32Array.from([2]),
    trigramLogProb: Float32Array.from([0.6], Math.log),
  });

  it('looks up trigrams, then bigrams with the trigram backoff, then unigrams with the bigram backoff', () => {
    expect(tri.order).toBe(3);
    expect(tri.logProb(['on', 'the'], 'mat')!).toBeCloseTo(Math.log(0.6), 2);
    expect(tri.logProb(['on', 'the'], 'met')!).toBeCloseTo(Math.log(0.25 * 0.3), 2);
    expect(tri.logProb(['the'], 'mat')!).toBeCloseTo(Math.log(0.8 * 0.1), 2);
    expect(tri.logProb([undefined, 'the'], 'met')!).toBeCloseTo(Math.log(0.3), 2);
  });

  it('saves to two files and loads back to the same probabilities; damaged files are typed errors', () => {
    for (const lm of [tri, WordNgram.fromSentences(corpus, { minCount: 1 })]) {
      const { json, bin } = lm.toFiles();
      const back = WordNgram.fromFiles(json, bin);
      for (const ctx of [[], ['on'], ['on', 'the'], ['the'], ['cat']]) for (const w of ['the', 'mat', 'met', 'sat']) expect(back.logProb(ctx, w)).toBe(lm.logProb(ctx, w));
      expect(() => WordNgram.fromFiles(json, bin.subarray(0, bin.length - 2))).toThrow(ModelFormatError);
      expect(() => WordNgram.fromFiles('{"format":"x"}', bin)).toThrow(ModelFormatError);
      const bad = bin.slice();
      new DataView(bad.buffer).setUint32(4, 0xffff, true); // a bigram offset past the table
      expect(() => WordNgram.fromFiles(json, bad)).toThrow(ModelFormatError);
    }
  });

  it('interpolates two models: a distribution over the union of their words, trigrams kept', () => {
    const local = WordNgram.fromSentences(corpus, { minCount: 1 });
    const mix = WordNgram.interpolate(tri, local, 0.5);
    const all = [...new Set([...words, 'met'])];
    expect(sumOver(mix, all, [])).toBeCloseTo(1, 2);
    expect(sumOver(mix, all, ['the'])).toBeCloseTo(1, 2);
    expect(mix.logProb(['on', 'the'], 'mat')!).toBeCloseTo(Math.log(0.6), 2);
    expect(Math.exp(mix.logProb(['the'], 'cat')!)).toBeCloseTo(0.5 * Math.exp(local.logProb(['the'], 'cat')!), 2);
    expect(() => WordNgram.interpolate(tri, local, 1.5)).toThrow(InvalidArgumentError);
  });
});
