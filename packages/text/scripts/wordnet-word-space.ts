/**
 * @file The word space shipped with the default sentence autoencoder, built the same way by
 * `train-sentence-ae.ts` and `add-word-space.ts`: LSA over one document per WordNet training
 * synset (lemmas, gloss, examples).
 *
 * The settings were chosen on 1,000 gloss/example pairs of *training* synsets held out of the
 * SVD (`sweep-word-space.ts`), never on the benchmark's held-out pairs; see the package README.
 */
import type { WordNetSynset } from '../src/datasets/wordnet.js';
import { wordnetDocuments } from '../src/datasets/wordnet.js';
import { WordSpace, type WordSpaceOptions } from '../src/word-space/word-space.js';

/**
 * Measured on the validation pairs (recall@10 among 1,000; tf-idf 0.118). The SIF `a` mattered
 * most, smaller being better down to ~1e-6 (weights ~1/frequency): at dim 768 and all 50,556
 * words, 0.163 / 0.203 / 0.229 / 0.271 / 0.298 / 0.317 / 0.316 at a = 1e-3 / 3e-4 / 1e-4 /
 * 3e-5 / 1e-5 / 1e-6 / 1e-7. Dim mattered little past 768 (at a = 1e-4: 0.225 at 1024, 0.233
 * at 1280), 4-bit against float32 storage not at all (±0.006). The whole table would not fit
 * the package's 10 MB beside the networks; at ~5 MB the trade-offs tie (a = 1e-6, 4 bits):
 * dim 256 x 40,000 words 0.254, 384 x 27,000 0.260, 512 x 20,000 0.264, 640 x 16,000 0.264,
 * 768 x 12,500 0.264 (the smallest of them).
 */
export const WORDNET_WORD_SPACE: Readonly<WordSpaceOptions> = { dim: 768, maxWords: 12500, bits: 4, sifA: 1e-6, minDocuments: 2 };

/** Fits the shipped word space on the training split, logging the SVD's progress. */
export function buildWordNetWordSpace(synsets: readonly WordNetSynset[], options: WordSpaceOptions = {}, log: (line: string) => void = console.log): { space: WordSpace; seconds: number; documents: number } {
  const documents = wordnetDocuments(synsets, 'train');
  const t0 = performance.now();
  const space = WordSpace.fit(documents, { ...WORDNET_WORD_SPACE, ...options, onProgress: (stage, s) => log(`  word space SVD: ${stage} (${s.toFixed(0)} s)`) });
  return { space, seconds: (performance.now() - t0) / 1000, documents: documents.length };
}
