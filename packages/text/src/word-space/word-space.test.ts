import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelFormatError, createRng, initEngine } from '@latentkit/core';
import { tfidfCosineMatrix } from '../models/evaluate.js';
import { WordSpace } from './word-space.js';

// Three topics; each document uses a few of its topic's words plus common filler, so synonyms
// ("puppy", "hound") co-occur with their topic words but rarely with each other.
const TOPICS = [
  ['dog', 'puppy', 'hound', 'bark', 'leash', 'kennel', 'fetch', 'canine'],
  ['cat', 'kitten', 'feline', 'meow', 'whiskers', 'purr', 'litter', 'tabby'],
  ['ship', 'boat', 'vessel', 'sail', 'harbor', 'anchor', 'crew', 'deck'],
];
const FILLER = ['the', 'a', 'of', 'with', 'and', 'is', 'in', 'on'];

function corpus(seed: number, perTopic = 60): string[] {
  const u = createRng(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(u() * xs.length)];
  const docs: string[] = [];
  for (let d = 0; d < perTopic; d++) {
    for (const words of TOPICS) docs.push(Array.from({ length: 6 }, (_, i) => (i % 2 ? pick(FILLER) : pick(words))).join(' '));
  }
  return docs;
}

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('WordSpace', () => {
  let space: WordSpace;
  beforeAll(async () => {
    await initEngine();
    space = WordSpace.fit(corpus(1), { dim: 3, bits: 8 });
  });

  it('pairs sentences that share no word but mean alike, where tf-idf cannot', () => {
    const [dog, puppy, kitten, boat] = space.embed(['the dog', 'a puppy with a leash', 'a kitten', 'the boat']);
    expect(tfidfCosineMatrix(['the dog'], ['a puppy with a leash'])[0]).toBeLessThan(0.05);
    expect(cos(dog, puppy)).toBeGreaterThan(0.9);
    expect(cos(dog, kitten)).toBeLessThan(0.3);
    expect(cos(dog, boat)).toBeLessThan(0.3);
    for (const v of [dog, puppy]) expect(cos(v, v)).toBeCloseTo(1, 5);
  });

  it('gives the zero vector to text with no known word, and is deterministic', () => {
    const [none] = space.embed(['zebra quagga']);
    expect(Array.from(none).every((x) => x === 0)).toBe(true);
    const again = WordSpace.fit(corpus(1), { dim: 3, bits: 8 });
    expect(Array.from(again.embed(['the dog'])[0])).toEqual(Array.from(space.embed(['the dog'])[0]));
  });

  it('round-trips through its files at 8 and 4 bits, and trims to maxWords', () => {
    for (const bits of [8, 4] as const) {
      const s = WordSpace.fit(corpus(2), { dim: 3, bits, maxWords: 20 });
      expect(s.size).toBe(20);
      const { json, bin } = s.toFiles();
      expect(bin.length).toBe(20 * 4 + (bits === 8 ? 60 : 30));
      const back = WordSpace.fromFiles(json, bin);
      expect(Array.from(back.embed(['a puppy'])[0])).toEqual(Array.from(s.embed(['a puppy'])[0]));
    }
    // 4-bit storage stays close to 8-bit (same SVD, coarser rounding).
    const [a8] = WordSpace.fit(corpus(2), { dim: 3, bits: 8 }).embed(['the kitten purr']);
    const [a4] = WordSpace.fit(corpus(2), { dim: 3, bits: 4 }).embed(['the kitten purr']);
    expect(cos(a8, a4)).toBeGreaterThan(0.98);
  });

  it('refuses bad options and damaged files with the field named', () => {
    expect(() => WordSpace.fit(corpus(1), { dim: 0 })).toThrow(InvalidArgumentError);
    expect(() => WordSpace.fit(['a b', 'a c'], { dim: 8 })).toThrow(/dim 8 needs at least 8 documents/);
    expect(() => WordSpace.fit(corpus(1), { bits: 2 as 4 })).toThrow(/bits must be 4 or 8/);
    const { json, bin } = space.toFiles();
    expect(() => WordSpace.fromFiles(json, bin.subarray(1), 'm/word-space.json')).toThrow(/m\/word-space.json: the table should hold/);
    expect(() => WordSpace.fromFiles(json.replace('"dim":3', '"dim":-1'), bin)).toThrow(/field 'dim' must be/);
    expect(() => WordSpace.fromFiles('{', bin)).toThrow(ModelFormatError);
  });
});
