import { describe, expect, it, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmptyInputError, initEngine, readManifest } from '@latentkit/core';
import { readWordNet, wordnetPairs, wordnetSentences } from '../datasets/wordnet.js';
import { cosineMatrix, evaluateFillIn, recallAtK, tfidfCosineMatrix } from './evaluate.js';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from './sentence-autoencoder.js';

// Held-out WordNet sentences (their synsets hash into the held-out split; checked below).
const HELD_OUT = [
  'the server update ran overnight',
  'the canary escaped from its cage',
  'the mistake of misrepresenting the facts',
  'the bootlegging of videotapes is common in Asia',
  'the jumping was unexpected',
];

let ae: SentenceAutoencoder;
beforeAll(async () => {
  await initEngine();
  ae = await SentenceAutoencoder.loadDefault();
});

describe('the shipped default sentence autoencoder', () => {
  it('loads from the package folder with no training and no network', () => {
    expect(defaultSentenceAutoencoderPath()).toMatch(/models[\\/]sentence-ae$/);
    expect(ae.config.kind).toBe('text/sentence-ae');
    expect(ae.codeShape).toEqual([ae.config.latentDim]);
    expect(ae.training?.epochs).toBeGreaterThan(0);
  });

  it('was never trained on the sentences below', async () => {
    const train = new Set(wordnetSentences(await readWordNet(), { split: 'train' }));
    for (const s of HELD_OUT) expect(train.has(s)).toBe(false);
  });

  it('reconstructs at least 4 of 5 simple held-out sentences exactly', async () => {
    const out = await ae.reconstruct(HELD_OUT);
    const exact = out.filter((o, i) => o === HELD_OUT[i]).length;
    expect(exact).toBeGreaterThanOrEqual(4);
  });

  it('decodes its own codes back to the same sentences as reconstruct, deterministically', async () => {
    const codes = await ae.encode(HELD_OUT);
    const again = await ae.encode(HELD_OUT);
    expect(Array.from(again[2].data)).toEqual(Array.from(codes[2].data));
    expect(await ae.decode(codes)).toEqual(await ae.reconstruct(HELD_OUT));
  });

  it('fills in gaps, keeping every other character', async () => {
    const gapped = ['the canary esc_ped from its c_ge', 'the mist_ke of misrepres_nting the facts', 'the j_mping was unexp_cted'];
    const filled = await ae.fillIn(gapped);
    let restored = 0;
    filled.forEach((f, i) => {
      expect(f).toHaveLength(gapped[i].length);
      [...gapped[i]].forEach((ch, j) => (ch === '_' ? (restored += f[j] === HELD_OUT[[1, 2, 4][i]][j] ? 1 : 0) : expect(f[j]).toBe(ch)));
    });
    expect(restored).toBeGreaterThanOrEqual(4); // of 6 gaps
  });

  it('ships a lexicon of the training split, which fills held-out gaps better than letters alone', async () => {
    expect(ae.lexicon?.size).toBeGreaterThan(40_000);
    const held = wordnetSentences(await readWordNet(), { split: 'heldout', maxChars: 64 });
    const sample = held.filter((_, i) => i % 97 === 0).slice(0, 120);
    const withWords = await evaluateFillIn(ae, sample, 0.1, 5);
    const lettersOnly = await evaluateFillIn({ config: ae.config, fillIn: (t) => ae.fillIn(t, { lexiconWeight: 0 }) }, sample, 0.1, 5);
    expect(withWords.gaps).toBeGreaterThan(200);
    expect(withWords.accuracy).toBeGreaterThan(0.75);
    expect(withWords.accuracy).toBeGreaterThan(lettersOnly.accuracy + 0.1);
    // Word trigrams (the words beside a gap) against usage frequency alone, on held-out sentences
    // of 9+ words (where context has room to help; measured 0.910 against 0.856 on 300 of them).
    const long = held.filter((t) => t.split(' ').length > 8).filter((_, i) => i % 41 === 0).slice(0, 150);
    const inContext = await evaluateFillIn(ae, long, 0.1, 7);
    const frequencyOnly = await evaluateFillIn({ config: ae.config, fillIn: (t) => ae.fillIn(t, { wordContext: false }) }, long, 0.1, 7);
    expect(inContext.accuracy).toBeGreaterThan(frequencyOnly.accuracy + 0.02);
  });

  it('fills the README example with real words: the cat sat on the mat', async () => {
    expect(ae.wordNgram?.order).toBe(3);
    expect(await ae.fillIn(['the c_t sat on the m_t', 'she w_nt to the st_re'])).toEqual(['the cat sat on the mat', 'she went to the store']);
  });

  it('ships in at most 25 MB, weights stored as float16', async () => {
    const m = await readManifest(defaultSentenceAutoencoderPath());
    const bytes = Object.values(m.files).reduce((t, f) => t + f.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(25_000_000);
    const enc = JSON.parse(await readFile(join(defaultSentenceAutoencoderPath(), m.root, 'encoder', 'model.json'), 'utf8'));
    expect(enc.weightsManifest[0].weights[0].quantization).toEqual({ dtype: 'float16' });
  });

  it('pairs held-out glosses with their examples by the meaning part better than tf-idf does', async () => {
    const pairs = wordnetPairs(await readWordNet(), { split: 'heldout', maxChars: ae.config.maxLength });
    const sample = pairs.filter((_, i) => i % 3 === 0).slice(0, 600);
    const n = sample.length;
    const [defs, exs] = [await ae.encode(sample.map((p) => p.definition)), await ae.encode(sample.map((p) => p.example))];
    const meaning = cosineMatrix(defs.map((l) => l.parts!.meaning.data), exs.map((l) => l.parts!.meaning.data));
    const bow = tfidfCosineMatrix(sample.map((p) => p.definition), sample.map((p) => p.example));
    const recall = (sims: Float32Array) => recallAtK((i, j) => sims[i * n + j], n, 10);
    expect(n).toBeGreaterThan(500);
    expect(recall(meaning)).toBeGreaterThan(recall(bow) + 0.02);
    // Meaning without shared words: a gloss and a paraphrase, against an unrelated sentence.
    // The word-vector half carries it; the whole code (mostly lemma overlap) still ranks it first.
    const codes = await ae.encode(['a medical doctor', 'the physician examined the patient', 'the tax on imported goods']);
    const [doctor, physician, tax] = codes.map((l) => l.parts!.vectors.data);
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((t, x, i) => t + x * b[i], 0);
    expect(cos(doctor, physician)).toBeGreaterThan(cos(doctor, tax) + 0.2);
    const [m0, m1, m2] = codes.map((l) => l.parts!.meaning.data);
    expect(cos(m0, m1)).toBeGreaterThan(cos(m0, m2));
  });

  it('ranks paraphrases above unrelated sentences by a clear margin with its default code, deterministically', async () => {
    expect(ae.defaultPart).toBe('meaning');
    // Hand-made: each paraphrase shares few words with its sentence; the others share the frame.
    const pairs: [string, string][] = [
      ['a man is playing the guitar', 'a guy plays a guitar'],
      ['the children are riding horses', 'kids ride a horse'],
      ['a woman is slicing an onion', 'a lady cuts onions'],
      ['the stock market fell sharply today', 'shares dropped steeply on the exchange today'],
      ['the cat is sleeping on the sofa', 'a kitten naps on the couch'],
    ];
    const codes = await ae.encode(pairs.flat());
    const again = await ae.encode(pairs.flat());
    const part = (i: number) => codes[i].parts!.meaning.data;
    again.forEach((l, i) => expect(Array.from(l.parts!.meaning.data)).toEqual(Array.from(part(i))));
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((t, x, k) => t + x * b[k], 0);
    let margin = Infinity;
    pairs.forEach((_, i) => {
      const para = cos(part(2 * i), part(2 * i + 1));
      const unrelated = Math.max(...pairs.map((__, j) => (j === i ? -1 : cos(part(2 * i), part(2 * j + 1)))));
      margin = Math.min(margin, para - unrelated);
    });
    // Measured 0.038 (smallest over the five: the cat/kitten pair, which shares no word);
    // the spelling-only global part gives -0.10.
    expect(margin).toBeGreaterThan(0.03);
    // What `latentkit encode text` asks for (the default part alone, no network) is the same code.
    const only = await ae.encode(pairs.flat(), { parts: ['meaning'] });
    only.forEach((l, i) => expect(Array.from(l.data)).toEqual(Array.from(part(i))));
  });

  it('ships the meaning code with WordNet relations and a character bag', () => {
    const m = ae.meaning!;
    expect(m.charBag?.dim).toBeGreaterThan(0);
    expect(m.charMix).toBeGreaterThan(0);
    expect(m.lemmaBag.relatedCount).toBeGreaterThan(5_000);
    expect(m.dim).toBe(m.wordSpace.dim + m.lemmaBag.dim + m.charBag!.dim);
  });

  it('gives every input its defined behaviour: blank throws, long is cut, non-Latin is unknown', async () => {
    await expect(ae.encode([''])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(ae.encode(['   '])).rejects.toBeInstanceOf(EmptyInputError);
    const long = 'a very long sentence that goes on and on well past the sixty-four characters the model reads';
    const [cut] = await ae.reconstruct([long]);
    expect([...cut].length).toBeLessThanOrEqual(ae.config.maxLength);
    const [alien] = await ae.reconstruct(['東京 is big']);
    expect(alien).toContain('is big');
  });
});
