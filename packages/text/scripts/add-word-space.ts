/**
 * @file Gives a saved sentence autoencoder a word space (the `meaning` part of its codes),
 * fitted on the WordNet training split as `train-sentence-ae.ts` does, and re-saves the model
 * with float16 weights (half the size; the package ships at most 10 MB):
 *
 *   npx tsx --conditions=source packages/text/scripts/add-word-space.ts [--model <dir>] [--dim 1024]
 *
 * The folder is rewritten atomically (a new weights generation, then the manifest).
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initEngine } from '@latentkit/core';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from '../src/models/sentence-autoencoder.js';
import { readWordNet } from '../src/datasets/wordnet.js';
import { WORDNET_WORD_SPACE, buildWordNetWordSpace } from './wordnet-word-space.js';

const argv = await yargs(hideBin(process.argv))
  .option('model', { type: 'string', default: defaultSentenceAutoencoderPath(), describe: 'model folder to update' })
  .option('dim', { type: 'number', default: WORDNET_WORD_SPACE.dim, describe: 'word vector size' })
  .option('max-words', { type: 'number', default: WORDNET_WORD_SPACE.maxWords, describe: 'words kept, most frequent first' })
  .option('bits', { choices: [4, 8] as const, default: WORDNET_WORD_SPACE.bits, describe: 'bits per stored value' })
  .option('sif-a', { type: 'number', default: WORDNET_WORD_SPACE.sifA, describe: 'SIF weight parameter a' })
  .option('precision', { choices: ['float32', 'float16'] as const, default: 'float16' as const, describe: 'how the network weights are stored' })
  .strict()
  .parse();
const engine = await initEngine();
console.log(`engine: ${engine.backend}`);
const dir = resolve(argv.model);
const model = await SentenceAutoencoder.load(dir);
const { space, seconds, documents } = buildWordNetWordSpace(await readWordNet(), { dim: argv.dim, maxWords: argv['max-words'], bits: argv.bits, sifA: argv['sif-a'] });
model.setWordSpace(space);
if (model.training) {
  model.training = {
    ...model.training,
    wordSpace: { dim: space.dim, words: space.size, bits: space.bits, sifA: argv['sif-a'], documents, seconds: Math.round(seconds) },
  };
}
await model.save(dir, { weightPrecision: argv.precision });
model.dispose();
console.log(`${dir}: word space of ${space.size} words x ${space.dim} dims (${space.bits}-bit) from ${documents} documents in ${seconds.toFixed(0)} s; weights saved as ${argv.precision}`);
