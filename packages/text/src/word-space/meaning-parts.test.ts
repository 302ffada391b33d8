import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmptyInputError, InvalidArgumentError, ModelFormatError, initEngine } from '@latentkit/core';
import { SentenceAutoencoder } from '../models/sentence-autoencoder.js';
import { CharGramBag } from './char-gram-bag.js';
import { LemmaBag, type LemmaBagJson } from './lemma-bag.js';
import { MeaningSpace } from './meaning-space.js';
import { WordSpace } from './word-space.js';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const BAG: LemmaBagJson = {
  dim: 1024,
  sifA: 1e-3,
  totalTokens: 1000,
  counts: [['the', 60], ['a', 40], ['is', 30]],
  lemmas: [['kittens', 'kitten'], ['planes', 'plane']],
  related: { weight: 0.7, hypernymWeight: 0.5, entries: [['plane', 'airplane aeroplane', 'aircraft'], ['airplane', 'plane aeroplane', 'aircraft']] },
};
const space = () => WordSpace.fromVectors([['the', 50], ['plane', 2], ['cat', 2]], Float32Array.from([0, 0, 1, 1, 0, 0, 0, 1, 0]), 3, { totalTokens: 1000, bits: 8 });

describe('LemmaBag relations', () => {
  it('make related lemmas overlap (plane / airplane) and nothing else, and round-trip through JSON', () => {
    const withRelations = new LemmaBag(BAG);
    const without = new LemmaBag({ ...BAG, related: undefined });
    const [plane, airplane, cat] = withRelations.embed(['the planes', 'an airplane', 'the cat']);
    expect(cos(plane, airplane)).toBeGreaterThan(0.3);
    expect(Math.abs(cos(plane, cat))).toBeLessThan(0.1);
    const [p0, a0] = without.embed(['the planes', 'an airplane']);
    expect(Math.abs(cos(p0, a0))).toBeLessThan(0.1);
    expect(withRelations.relatedCount).toBe(2);
    const back = LemmaBag.fromJSON(JSON.parse(JSON.stringify(withRelations.toJSON())), 'm.json');
    expect(Array.from(back.embed(['a plane is an aircraft'])[0])).toEqual(Array.from(withRelations.embed(['a plane is an aircraft'])[0]));
    expect(() => LemmaBag.fromJSON({ ...BAG, related: { weight: 1, hypernymWeight: 0.5, entries: [['plane', 3, '']] } }, 'm.json')).toThrow(ModelFormatError);
    expect(() => new LemmaBag({ ...BAG, related: { weight: -1, hypernymWeight: 0.5, entries: [] } })).toThrow(InvalidArgumentError);
  });
});

describe('CharGramBag', () => {
  const words = new LemmaBag(BAG);
  const chars = new CharGramBag({ dim: 2048, sifA: 3e-4, minN: 2, maxN: 5 }, words);
  const dense = (t: string) => {
    const v = new Float32Array(chars.dim);
    const { slots, values } = chars.sparse(t.toLowerCase().split(' '));
    slots.forEach((s, k) => (v[s] = values[k]));
    return v;
  };

  it('overlaps words that share a stem but not a lemma, weighs by usage, and is unit length', () => {
    const greek = dense('greek bailout');
    expect(cos(greek, dense('greece bailouts'))).toBeGreaterThan(0.5);
    expect(cos(greek, dense('french cheese'))).toBeLessThan(0.25);
    expect(cos(greek, greek)).toBeCloseTo(1, 5);
    // 'the' is common, so 'the dog' is mostly 'dog'.
    expect(cos(dense('the dog'), dense('dog'))).toBeGreaterThan(0.95);
    expect(chars.sparse([])).toEqual({ slots: [], values: [] });
  });

  it('round-trips through JSON and refuses bad settings with typed errors', () => {
    const back = CharGramBag.fromJSON(JSON.parse(JSON.stringify(chars.toJSON())), words, 'm.json');
    expect(back.sparse(['kittens'])).toEqual(chars.sparse(['kittens']));
    expect(() => new CharGramBag({ dim: 64, sifA: 1e-3, minN: 3, maxN: 2 }, words)).toThrow(InvalidArgumentError);
    expect(() => CharGramBag.fromJSON({ dim: 64, sifA: 1e-3, minN: 2 }, words, 'm.json')).toThrow(ModelFormatError);
    expect(() => CharGramBag.fromJSON({ dim: 0, sifA: 1e-3, minN: 2, maxN: 3 }, words, 'm.json')).toThrow(ModelFormatError);
  });
});

describe('MeaningSpace with a character bag (version 2)', () => {
  let dir: string;
  beforeAll(async () => {
    await initEngine();
    dir = await mkdtemp(join(tmpdir(), 'lk-meaning2-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const make = (mix = 0.2, charMix = 0.5) => {
    const words = new LemmaBag(BAG);
    return MeaningSpace.create(space(), words, ['the plane', 'the cat'], { mix, charMix, charBag: new CharGramBag({ dim: 512, sifA: 3e-4, minN: 2, maxN: 5 }, words), components: 0 });
  };

  it('mixes its three parts by their shares, and a text keeps a unit-length code when a part is empty', () => {
    const m = make();
    const [a, b, c] = m.embed(['the kittens', 'the cat kitten', 'a kitten']);
    expect(m.dim).toBe(3 + 1024 + 512);
    expect(a.chars).toHaveLength(512);
    expect(cos(a.meaning, b.meaning)).toBeCloseTo(0.2 * cos(a.vectors, b.vectors) + 0.3 * cos(a.lemmas, b.lemmas) + 0.5 * cos(a.chars!, b.chars!), 5);
    // No word of 'a kitten' has a vector: the lemma and character parts share the whole length.
    expect(c.vectors.every((x) => x === 0)).toBe(true);
    expect(cos(c.meaning, c.meaning)).toBeCloseTo(1, 5);
    expect(cos(a.meaning, c.meaning)).toBeGreaterThan(0.5);
    expect(() => make(0.6, 0.6)).toThrow(InvalidArgumentError);
    expect(() => MeaningSpace.create(space(), new LemmaBag(BAG), [], { charMix: 0.3 })).toThrow(InvalidArgumentError);
  });

  it('saves with a sentence autoencoder as version 2 and loads back to identical codes', async () => {
    const ae = SentenceAutoencoder.create({ maxLength: 16, channels: [16], depths: [1], localDim: 32, globalDim: 8, globalFeatures: 16, contextHashes: [] });
    ae.setWordSpace(make());
    const texts = ['the planes', 'an airplane'];
    const codes = await ae.encode(texts);
    expect(Object.keys(codes[0].parts!).sort()).toEqual(['chars', 'global', 'lemmas', 'local', 'meaning', 'vectors']);
    const folder = join(dir, 'v2');
    await ae.save(folder);
    const root = (await readdir(folder)).find((f) => f.startsWith('weights-'))!;
    const saved = JSON.parse(await readFile(join(folder, root, 'meaning.json'), 'utf8'));
    expect(saved.version).toBe(2);
    const back = await SentenceAutoencoder.load(folder);
    expect(back.meaning?.charMix).toBe(0.5);
    expect(back.meaning?.lemmaBag.relatedCount).toBe(2);
    const again = await back.encode(texts);
    for (const part of ['meaning', 'vectors', 'lemmas', 'chars']) expect(Array.from(again[1].parts![part].data)).toEqual(Array.from(codes[1].parts![part].data));
    back.dispose();
    await writeFile(join(folder, root, 'meaning.json'), JSON.stringify({ ...saved, charBag: { dim: 'x' } }));
    await expect(SentenceAutoencoder.load(folder)).rejects.toBeInstanceOf(ModelFormatError);
    ae.dispose();
  });

  it('encodes meaning parts alone without running the network, to the same codes', async () => {
    const ae = SentenceAutoencoder.create({ maxLength: 16, channels: [16], depths: [1], localDim: 32, globalDim: 8, globalFeatures: 16, contextHashes: [] });
    ae.setWordSpace(make());
    const texts = ['the planes fly', 'a kitten sleeps on a long sofa by the window'];
    const full = await ae.encode(texts);
    const network = vi.spyOn(ae as unknown as { encodeBatch: () => unknown }, 'encodeBatch');
    const only = await ae.encode(texts, { parts: ['meaning'] });
    expect(network).not.toHaveBeenCalled();
    only.forEach((l, i) => {
      expect(Array.from(l.data)).toEqual(Array.from(full[i].parts!.meaning.data));
      expect(l.shape).toEqual([ae.meaning!.dim]);
      expect(Object.keys(l.parts!)).toEqual(['meaning']);
    });
    const withParts = await ae.encode(texts, { parts: ['meaning', 'chars'] });
    withParts.forEach((l, i) => expect(Array.from(l.parts!.chars.data)).toEqual(Array.from(full[i].parts!.chars.data)));
    // Blank input is refused as on the network path, naming its row.
    await expect(ae.encode(['fine', ' '], { parts: ['meaning'] })).rejects.toThrow(EmptyInputError);
    await expect(ae.encode(['fine', ' '], { parts: ['meaning'] })).rejects.toThrow(/1/);
    // Asking for a network part (or none) runs the network.
    await ae.encode(texts, { parts: ['meaning', 'global'] });
    expect(network).toHaveBeenCalled();
    network.mockRestore();
    ae.dispose();
  });
});
