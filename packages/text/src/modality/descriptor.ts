/**
 * @file The text modality descriptor: what the CLI, the demo, the benchmarks and servers need
 * to handle sentences without naming them (see core's ModalityDescriptor).
 */
import type { ModalityDescriptor } from '@latentkit/core';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath } from '../models/sentence-autoencoder.js';
import { SentenceEncoder } from '../pretrained/sentence-encoder.js';
import { tinySentenceEncoderPath } from '../pretrained/tiny-sentence-encoder.js';
import { textCodec } from './codec.js';
import { textLinesLayout } from './datasets.js';
import { textRecipes } from './recipes.js';
import { textShowcase } from './showcase.js';

/**
 * Text: one sentence per line in and out; the sentence autoencoder (shipped trained, used when
 * no model is given), whose codes have `meaning` and `global` parts; pretrained Transformers.js
 * encoders by name.
 * @example
 * ```ts
 * import { registerModality } from '@latentkit/core';
 * import { textModality } from '@latentkit/text';
 * registerModality(textModality);
 * ```
 */
export const textModality: ModalityDescriptor<string> = {
  name: 'text',
  describe: 'sentences (one per line) through a sentence autoencoder or a pretrained encoder',
  packageName: '@latentkit/text',
  models: [SentenceAutoencoder],
  parts: [
    { name: 'meaning', latentPart: 'meaning', describe: 'word vectors + lemma bag + character n-grams: compare sentences by it (the default)' },
    { name: 'vectors', latentPart: 'vectors', describe: 'the word-vector part of meaning' },
    { name: 'lemmas', latentPart: 'lemmas', describe: 'the lemma-bag part of meaning (with WordNet relations)' },
    { name: 'chars', latentPart: 'chars', describe: 'the character n-gram part of meaning (models with one)' },
    { name: 'global', latentPart: 'global', describe: 'the sentence-level part of the character code' },
  ],
  // The part the model names for comparing sentences (its meaning code); `--part all` gives
  // the decoder's code.
  defaultPart: (model) => (model instanceof SentenceAutoencoder ? model.defaultPart : undefined),
  codec: textCodec,
  recipes: textRecipes,
  datasets: [textLinesLayout],
  defaultModel: { describe: 'the sentence autoencoder shipped with @latentkit/text', load: () => SentenceAutoencoder.loadDefault(), path: defaultSentenceAutoencoderPath() },
  pretrained: {
    describe: "a pretrained sentence encoder: 'tiny' (committed, for tests: too small to carry meaning), a hub id (needs the network), or a folder holding a Transformers.js model (config.json, tokenizer.json, onnx/model.onnx)",
    load: (name) => SentenceEncoder.load(name === 'tiny' ? tinySentenceEncoderPath() : name),
  },
  showcase: textShowcase,
  examples: {
    train: [['$0 train text --data sentences.txt --out models/sentences', 'sentence AE on your sentences']],
    encode: [
      ['$0 encode text --in sentences.txt --out codes.npy', 'shipped sentence autoencoder, one row per line: its meaning code'],
      ['$0 encode text --part all --in sentences.txt --out codes.npy', "the decoder's code (what decode reads)"],
      ['$0 encode text --pretrained ./all-MiniLM-L6-v2 --in sentences.txt --out codes.npy', 'a Transformers.js model folder'],
      ['$0 encode text --pretrained tiny --in sentences.txt --out codes.npy', 'the tiny pretrained transformer encoder'],
      ['$0 encode text --in sentences.txt --out codes.json', 'the same codes as JSON (one object per sentence)'],
    ],
    decode: [['$0 decode --model models/sentences --in codes.npy --out decoded/', 'decoded/decoded.txt, one sentence per row']],
    reconstruct: [['$0 reconstruct --model models/sentences --in s.txt --out recon/', 'recon/reconstructions.txt']],
  },
};
