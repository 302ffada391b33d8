/**
 * @file The word space shipped with the default sentence autoencoder, built the same way by
 * `train-sentence-ae.ts` and `add-word-space.ts`: LSA over one document per WordNet training
 * synset (lemmas, gloss, examples).
 *
 * The settings were chosen on 1,000 gloss/example pairs of *training* synsets held out of the
 * SVD (`.scratch/ws-exp.ts`), never on the benchmark's held-out pairs; see the package README.
 */
import type { WordNetSynset } from '../src/corpus/wordnet.js';
import { wordnetDocuments } from '../src/corpus/wordnet.js';
import { WordSpace, type WordSpaceOptions } from '../src/word-space/word-space.js';

/** Recall@10 on the validation pairs rose with dim up to the largest tried; 4-bit storage cost nothing. */
export const WORDNET_WORD_SPACE: Readonly<WordSpaceOptions> = { dim: 1024, maxWords: 9000, bits: 4, sifA: 1e-4, minDocuments: 2 };

/** Fits the shipped word space on the training split, logging the SVD's progress. */
export function buildWordNetWordSpace(synsets: readonly WordNetSynset[], options: WordSpaceOptions = {}, log: (line: string) => void = console.log): { space: WordSpace; seconds: number; documents: number } {
  const documents = wordnetDocuments(synsets, 'train');
  const t0 = performance.now();
  const space = WordSpace.fit(documents, { ...WORDNET_WORD_SPACE, ...options, onProgress: (stage, s) => log(`  word space SVD: ${stage} (${s.toFixed(0)} s)`) });
  return { space, seconds: (performance.now() - t0) / 1000, documents: documents.length };
}
