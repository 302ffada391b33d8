import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError, ModelMismatchError, ShapeMismatchError, VectorAutoencoder, initEngine, tf } from '@latentkit/core';
import { readWordNet, wordnetDocuments, wordnetPairs, wordnetSentences } from '../datasets/wordnet.js';
import { WordSpace } from '../word-space/word-space.js';
import { SentenceAutoencoder, resolveSentenceAutoencoderConfig } from './sentence-autoencoder.js';
import { UNKNOWN_CHAR } from './vocabulary.js';
import { WordNgram } from './word-ngram.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lk-sae-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const TINY = { maxLength: 32, embedDim: 16, channels: [24, 48], depths: [1, 1], globalDim: 16, localDim: 64, contextHashes: [{ radius: 2, buckets: 1021 }], contextDim: 8 };

let corpus: string[] = [];
beforeAll(async () => {
  await initEngine();
  const synsets = await readWordNet({ pos: ['r'] });
  corpus = wordnetSentences(synsets, { split: 'train', maxChars: 32 }).slice(0, 200);
});

describe('SentenceAutoencoder (tiny, untrained or briefly trained)', () => {
  it('encodes each sentence to one latent of [latentDim], deterministically', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const a = await ae.encode(['a cat', 'the dog barked']);
    const b = await ae.encode(['a cat', 'the dog barked']);
    expect(a).toHaveLength(2);
    expect(a[0].shape).toEqual([80]);
    expect(a[0].parts?.global.shape).toEqual([16]);
    expect(a[0].parts?.local.shape).toEqual([16, 4]);
    expect(Array.from(a[0].parts!.global.data)).toEqual(Array.from(a[0].data.slice(0, 16)));
    expect(a[0].modality).toBe('text');
    expect(a[0].model).toBe('text/sentence-ae');
    expect(Array.from(a[1].data)).toEqual(Array.from(b[1].data));
    expect(Array.from(a[0].data)).not.toEqual(Array.from(a[1].data));
    // Whitespace differences are normalised away before encoding.
    const [c] = await ae.encode(['  a   cat ']);
    expect(Array.from(c.data)).toEqual(Array.from(a[0].data));
    ae.dispose();
  });

  it('throws EmptyInputError for empty and whitespace-only text, everywhere', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    await expect(ae.encode(['ok', ''])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.encode([' \t\n '])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.reconstruct([''])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.fillIn(['   '])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.fit(['fine', ''], { epochs: 1 })).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.encode([42 as unknown as string])).rejects.toBeInstanceOf(InvalidArgumentError);
    ae.dispose();
  });

  it('cuts text longer than maxLength (same code as its first maxLength characters)', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(5000);
    expect(ae.isTruncated(long)).toBe(true);
    expect(ae.isTruncated('short')).toBe(false);
    const [a, b] = await ae.encode([long, long.slice(0, 32)]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const [out] = await ae.reconstruct([long]);
    expect([...out].length).toBeLessThanOrEqual(32);
    ae.dispose();
  });

  it('reads non-Latin text as unknown characters without failing', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const [code] = await ae.encode(['Кошка сидит на ковре 猫']);
    expect(code.data.every(Number.isFinite)).toBe(true);
    const [out] = await ae.reconstruct(['日本語']);
    expect(typeof out).toBe('string');
    const [filled] = await ae.fillIn(['猫 _ 犬']);
    expect(filled.startsWith('猫 ')).toBe(true);
    expect(filled.endsWith(' 犬')).toBe(true);
    expect(filled).toHaveLength(5);
    expect(UNKNOWN_CHAR).toBe('\uFFFD');
    ae.dispose();
  });

  it('decode refuses codes of the wrong size with ShapeMismatchError', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const [code] = await ae.encode(['a cat']);
    await expect(ae.decode([{ ...code, data: code.data.slice(0, 10), shape: [10] }])).rejects.toBeInstanceOf(ShapeMismatchError);
    const [text] = await ae.decode([code]);
    expect(typeof text).toBe('string');
    ae.dispose();
  });

  it('trains for a few seconds on 200 sentences (and pairs) and lowers its loss, with a flat tensor count', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const synsets = await readWordNet({ pos: ['r'] });
    const pairs = wordnetPairs(synsets, { split: 'train', maxChars: 32 }).slice(0, 40).map((p) => ({ text: p.definition, positive: p.example }));
    const counts: number[] = [];
    const h = await ae.fit([...corpus, ...pairs], {
      epochs: 4,
      batchSize: 32,
      learningRate: 3e-3,
      onProgress: (e) => e.type === 'epoch' && counts.push(e.numTensors),
    });
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] * 0.8);
    expect(h.metrics[0].contrast).toBeGreaterThan(0);
    expect(h.metrics.at(-1)!.hole).toBeLessThan(h.metrics[0].hole);
    expect(new Set(counts).size).toBe(1);
    ae.dispose();
  });

  it('fillIn keeps every non-gap character and returns strings of the input length', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const inputs = ['a c_t sat', '__ the m_t', 'no gaps here', `${'word '.repeat(20)}_nd`];
    const out = await ae.fillIn(inputs);
    out.forEach((o, i) => {
      expect(o).toHaveLength(inputs[i].length);
      [...inputs[i]].forEach((ch, j) => {
        if (ch === '_') expect(o[j]).not.toBe('_');
        else expect(o[j]).toBe(ch);
      });
    });
    expect(out[2]).toBe('no gaps here');
    ae.dispose();
  });

  it('save/load round trip gives identical encodings, decodings and config (with a word bag)', async () => {
    const ae = SentenceAutoencoder.create({ ...TINY, characters: [...'abcdefghijklmnopqrstuvwxyz .'], wordBag: { buckets: 509, dim: 8 } });
    expect(ae.config.wordBag).toEqual({ buckets: 509, dim: 8, hashes: 2 });
    await ae.fit(corpus.slice(0, 64), { epochs: 1, batchSize: 32 });
    // The bag starts at zero; training moved it, so the round trip below covers its weights.
    const table = ae.networks.encoder.getLayer('enc_words').getWeights()[0];
    expect(tf.max(tf.abs(table)).dataSync()[0]).toBeGreaterThan(0);
    // Word bigrams of its sentences: saved beside the lexicon and read back to the same probabilities.
    const bigrams = WordNgram.fromSentences(corpus.slice(0, 64).map((t) => t.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean)), { minCount: 1 });
    ae.setWordNgram(bigrams);
    const dir = await tempDir();
    await ae.save(dir);
    const back = await SentenceAutoencoder.load(dir);
    expect(back.config).toEqual(ae.config);
    expect(back.vocabulary.chars).toEqual(ae.vocabulary.chars);
    expect(back.wordNgram?.bigramCount).toBe(bigrams.bigramCount);
    expect(back.wordNgram?.logProb(['a'], 'cat')).toBe(bigrams.logProb(['a'], 'cat'));
    const texts = ['a cat sat.', 'Zebra!'];
    const [x, y] = [await ae.encode(texts), await back.encode(texts)];
    expect(Array.from(y[0].data)).toEqual(Array.from(x[0].data));
    expect(Array.from(y[1].data)).toEqual(Array.from(x[1].data));
    expect(await back.decode(y)).toEqual(await ae.decode(x));
    expect(back.training?.epochs).toBe(1);
    // fit built the word list from its sentences once; a second fit does not count them again.
    const words = corpus.slice(0, 64).join(' ').toLowerCase().split(/[^a-z0-9']+/).filter(Boolean);
    expect(ae.lexicon?.total).toBe(words.length);
    expect([...back.lexicon!.counts].sort()).toEqual([...ae.lexicon!.counts].sort());
    await ae.fit(corpus.slice(0, 64), { epochs: 1, batchSize: 32 });
    expect(ae.lexicon?.total).toBe(words.length);
    expect(await back.fillIn(['a c_t'], { lexiconWeight: 0 })).toHaveLength(1);
    expect((await back.fillIn(['a c_t sat.']))[0]).toMatch(/^a c.t sat\.$/);
    back.dispose();
    ae.dispose();
  });

  it('with a word space, codes carry a meaning part that survives a float16 save/load', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    const adverbs = wordnetDocuments(await readWordNet({ pos: ['r'] }));
    ae.setWordSpace(WordSpace.fit(adverbs, { dim: 16, bits: 4, maxWords: 500 }));
    const texts = ['in a careful manner', 'with great care', 'a cat sat'];
    const codes = await ae.encode(texts);
    expect(codes[0].data.length).toBe(ae.config.latentDim); // the decoder's code is unchanged
    expect(codes[0].parts!.meaning.shape).toEqual([16]);
    expect(Array.from(codes[0].parts!.meaning.data)).toEqual(Array.from(ae.wordSpace!.embed([texts[0]])[0]));
    const dir = await tempDir();
    await ae.save(dir, { weightPrecision: 'float16' });
    const back = await SentenceAutoencoder.load(dir);
    const again = await back.encode(texts);
    again.forEach((l, i) => {
      expect(Array.from(l.parts!.meaning.data)).toEqual(Array.from(codes[i].parts!.meaning.data));
      // float16 weights: the decoder's code moves by rounding only.
      for (let j = 0; j < l.data.length; j++) expect(Math.abs(l.data[j] - codes[i].data[j])).toBeLessThan(0.02 * (1 + Math.abs(codes[i].data[j])));
    });
    back.setWordSpace(undefined);
    expect((await back.encode(texts))[0].parts!.meaning).toBeUndefined();
    back.dispose();
    ae.dispose();
  });

  it('refuses to load another kind of model', async () => {
    const dir = await tempDir();
    const other = VectorAutoencoder.create({ inputDim: 4 });
    await other.save(dir);
    await expect(SentenceAutoencoder.load(dir)).rejects.toBeInstanceOf(ModelMismatchError);
    other.dispose();
  });

  it('validates its options', () => {
    expect(() => resolveSentenceAutoencoderConfig({ maxLength: 31 }, 97)).toThrow(InvalidArgumentError);
    expect(() => resolveSentenceAutoencoderConfig({ depths: [1, 0] }, 97)).toThrow(InvalidArgumentError);
    expect(() => resolveSentenceAutoencoderConfig({ kernelSize: 4 }, 97)).toThrow(InvalidArgumentError);
    expect(() => resolveSentenceAutoencoderConfig({ localDim: 100 }, 97)).toThrow(/multiple of/);
    expect(() => resolveSentenceAutoencoderConfig({ noise: { maskProbability: 2 } }, 97)).toThrow(InvalidArgumentError);
    expect(resolveSentenceAutoencoderConfig({ noise: false }, 97).noise.maskProbability).toBe(0);
    expect(() => resolveSentenceAutoencoderConfig({ wordBag: { buckets: 1, dim: 8 } }, 97)).toThrow(/wordBag/);
    expect(() => resolveSentenceAutoencoderConfig({ wordBag: { buckets: 64, dim: 8 }, globalDim: 0 }, 97)).toThrow(/globalDim > 0/);
    expect(resolveSentenceAutoencoderConfig({}, 97).wordBag).toBeNull();
  });

  it('leaves no tensors behind after encode, decode, reconstruct and fillIn', async () => {
    const ae = SentenceAutoencoder.create(TINY);
    await ae.fillIn(['warm _p']);
    const before = tf.memory().numTensors;
    const codes = await ae.encode(['a cat', 'a dog']);
    await ae.decode(codes);
    await ae.reconstruct(['a cat']);
    await ae.fillIn(['a c_t']);
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
  });
});
