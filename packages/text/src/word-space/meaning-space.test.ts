import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, ModelFormatError, createRng, initEngine } from '@latentkit/core';
import { SentenceAutoencoder } from '../models/sentence-autoencoder.js';
import { LemmaBag } from './lemma-bag.js';
import { MeaningSpace } from './meaning-space.js';
import { WordSpace } from './word-space.js';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const WORDS = ['the', 'a', 'dog', 'puppy', 'cat', 'kitten', 'ship', 'boat', 'runs', 'sleeps'];
// Hand-made 4-d vectors: dogs, cats and boats point three ways; function words share one
// direction (what common-component removal is for).
const VEC: Record<string, number[]> = {
  the: [0, 0, 0, 1], a: [0, 0, 0.1, 1], dog: [1, 0, 0, 0.3], puppy: [0.95, 0.1, 0, 0.3], cat: [0, 1, 0, 0.3], kitten: [0.1, 0.95, 0, 0.3],
  ship: [0, 0, 1, 0.3], boat: [0, 0.1, 0.95, 0.3], runs: [0.3, 0.3, 0.3, 0.3], sleeps: [0.3, 0.3, 0, 0.3],
};
const bag = () =>
  new LemmaBag({ dim: 512, sifA: 1e-3, totalTokens: 1000, counts: [['the', 60], ['a', 40], ['runs', 5]], lemmas: [['runs', 'run'], ['dogs', 'dog']] });
const space = () =>
  WordSpace.fromVectors(WORDS.map((w) => [w, w === 'the' || w === 'a' ? 50 : 2]), Float32Array.from(WORDS.flatMap((w) => VEC[w])), 4, { totalTokens: 1000, bits: 8, sifA: 1e-3 });
const u = createRng(3);
const training = Array.from({ length: 60 }, () => ['the', WORDS[2 + Math.floor(u() * 8)], 'a', WORDS[2 + Math.floor(u() * 8)]].join(' '));

describe('LemmaBag', () => {
  it('overlaps inflected forms through their lemma and weighs rare words above common ones', () => {
    const b = bag();
    const [x, y, z] = b.embed(['the dogs', 'a dog', 'the cat']);
    expect(cos(x, y)).toBeGreaterThan(0.9);
    expect(cos(x, z)).toBeLessThan(0.1);
    expect(b.weight('dog')).toBeGreaterThan(10 * b.weight('the'));
    expect(b.lemma('runs')).toBe('run');
    expect(Array.from(b.embed(['...'])[0]).every((v) => v === 0)).toBe(true);
  });

  it('round-trips through JSON and refuses malformed fields', () => {
    const b = bag();
    const back = LemmaBag.fromJSON(JSON.parse(JSON.stringify(b.toJSON())), 'm.json');
    expect(Array.from(back.embed(['the dogs run'])[0])).toEqual(Array.from(b.embed(['the dogs run'])[0]));
    expect(() => LemmaBag.fromJSON({ ...b.toJSON(), counts: [['x', -1]] }, 'm.json')).toThrow(ModelFormatError);
    expect(() => LemmaBag.fromJSON({ ...b.toJSON(), dim: 0 }, 'm.json')).toThrow(ModelFormatError);
    expect(() => new LemmaBag({ ...b.toJSON(), sifA: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('MeaningSpace', () => {
  let dir: string;
  beforeAll(async () => {
    await initEngine();
    dir = await mkdtemp(join(tmpdir(), 'lk-meaning-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('pairs synonyms with no word in common, keeps overlap, and its cosine mixes the halves as documented', () => {
    const m = MeaningSpace.create(space(), bag(), training, { mix: 0.5, components: 1 });
    const [dog, puppy, kitten] = m.embed(['the dog', 'a puppy', 'a kitten']);
    expect(dog.meaning.length).toBe(4 + 512);
    expect(cos(dog.vectors, puppy.vectors)).toBeGreaterThan(0.8);
    expect(cos(dog.vectors, kitten.vectors)).toBeLessThan(0.3);
    expect(cos(dog.meaning, puppy.meaning)).toBeGreaterThan(cos(dog.meaning, kitten.meaning) + 0.3);
    expect(cos(dog.meaning, puppy.meaning)).toBeCloseTo(0.5 * cos(dog.vectors, puppy.vectors) + 0.5 * cos(dog.lemmas, puppy.lemmas), 5);
    // The common component (function words' direction) is gone: 'the' alone has nothing left.
    const [the] = m.embed(['the']);
    expect(Math.abs(cos(the.vectors, dog.vectors))).toBeLessThan(0.2);
  });

  it('codes depend on the text only (not on the batch) and are deterministic', () => {
    const a = MeaningSpace.create(space(), bag(), training);
    const b = MeaningSpace.create(space(), bag(), training);
    const alone = a.embed(['a puppy runs'])[0].meaning;
    const inBatch = b.embed(['the ship', 'a puppy runs', 'a cat'])[1].meaning;
    expect(Array.from(inBatch)).toEqual(Array.from(alone));
  });

  it('saves with a sentence autoencoder and loads back to identical codes; damaged meaning.json is a typed error', async () => {
    const ae = SentenceAutoencoder.create({ maxLength: 16, channels: [16], depths: [1], localDim: 32, globalDim: 8, globalFeatures: 16, contextHashes: [] });
    ae.setWordSpace(MeaningSpace.create(space(), bag(), training, { mix: 0.3 }));
    expect(ae.defaultPart).toBe('meaning');
    const texts = ['the dog runs', 'a kitten sleeps'];
    const codes = await ae.encode(texts);
    expect(Object.keys(codes[0].parts!).sort()).toEqual(['global', 'lemmas', 'local', 'meaning', 'vectors']);
    const folder = join(dir, 'm1');
    await ae.save(folder);
    const back = await SentenceAutoencoder.load(folder);
    expect(back.meaning?.mix).toBe(0.3);
    const again = await back.encode(texts);
    for (const part of ['meaning', 'vectors', 'lemmas']) expect(Array.from(again[1].parts![part].data)).toEqual(Array.from(codes[1].parts![part].data));
    back.dispose();
    const { readdir } = await import('node:fs/promises');
    const root = (await readdir(folder)).find((f) => f.startsWith('weights-'))!;
    await writeFile(join(folder, root, 'meaning.json'), '{"format":"latentkit-meaning-space","version":1,"mix":2}');
    await expect(SentenceAutoencoder.load(folder)).rejects.toBeInstanceOf(ModelFormatError);
    ae.dispose();
  });
});
