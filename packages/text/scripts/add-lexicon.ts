/**
 * @file Gives a saved sentence autoencoder the word list `fillIn` uses as a prior: every word of
 * the WordNet training split (held-out synsets excluded), the same list the training script
 * builds. Used once on the shipped model, which was trained before lexicons existed:
 *
 *   npx tsx --conditions=source packages/text/scripts/add-lexicon.ts [--model <dir>]
 *
 * The folder is rewritten atomically (a new weights generation, then the manifest).
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from '../src/models/sentence-autoencoder.js';
import { Lexicon } from '../src/models/lexicon.js';
import { readWordNet, wordnetSentences } from '../src/datasets/wordnet.js';

const argv = await yargs(hideBin(process.argv))
  .option('model', { type: 'string', default: defaultSentenceAutoencoderPath(), describe: 'model folder to update' })
  .strict()
  .parse();
const dir = resolve(argv.model);
const model = await SentenceAutoencoder.load(dir);
const lexicon = Lexicon.fromTexts(wordnetSentences(await readWordNet(), { split: 'train' }));
model.setLexicon(lexicon);
await model.save(dir);
model.dispose();
console.log(`${dir}: lexicon of ${lexicon.size} words (${lexicon.total} tokens) saved`);
