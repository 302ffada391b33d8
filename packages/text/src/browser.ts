/**
 * @file The browser entry of @latentkit/text (the `browser` export condition): the trainable
 * sentence autoencoder with its custom layers (registered when a model is created or loaded),
 * fill-in, its vocabulary, lexicon, word prior and word spaces, and the reconstruction and
 * fill-in scores. What needs Node stays in src/index.ts: pretrained Transformers.js encoders,
 * the WordNet and STS readers, text files, the modality descriptor.
 *
 * The shipped sentence model (`models/sentence-ae` in this package) loads from wherever the
 * page serves that folder:
 * @example
 * ```ts
 * import { loadModel, registerModels } from '@latentkit/core';
 * import { textModels } from '@latentkit/text';
 * registerModels(textModels);
 * const model = await loadModel('/models/sentence-ae');
 * const [code] = await model.encode(['a small dog barked']);
 * ```
 */
export { textModels } from './models/model-list.js';
export { SentenceAutoencoder, resolveSentenceAutoencoderConfig, DEFAULT_CONTEXT_HASHES } from './models/sentence-autoencoder.js';
export type { SentenceAutoencoderOptions, SentenceAutoencoderConfig, SentencePair, SentenceSample, FillInOptions, ContextHashSpec, WordBagSpec } from './models/sentence-autoencoder.js';
export { CharVocabulary, defaultCharacters, normalizeSentence, GAP_MARKER, UNKNOWN_CHAR } from './models/vocabulary.js';
export type { CharVocabularyJson, NormalizedSentence } from './models/vocabulary.js';
export { Lexicon, wordSpans } from './models/lexicon.js';
export type { LexiconJson, WordSpan } from './models/lexicon.js';
export { WordNgram, SENTENCE_START, SENTENCE_END } from './models/word-ngram.js';
export type { WordNgramJson, WordNgramOptions } from './models/word-ngram.js';
export { WordSpace, tfidfDocumentMatrix } from './word-space/word-space.js';
export type { WordSpaceOptions, WordSpaceJson, WordSpaceFiles, TfidfDocumentMatrix } from './word-space/word-space.js';
export { LemmaBag } from './word-space/lemma-bag.js';
export type { LemmaBagJson, LemmaRelationsJson } from './word-space/lemma-bag.js';
export { CharGramBag } from './word-space/char-gram-bag.js';
export type { CharGramBagJson } from './word-space/char-gram-bag.js';
export { MeaningSpace } from './word-space/meaning-space.js';
export type { MeaningSpaceJson, MeaningCodes, MeaningSpaceOptions } from './word-space/meaning-space.js';
export { DEFAULT_NOISE, NO_NOISE, gapCharacters } from './models/noise.js';
export type { SentenceNoiseConfig } from './models/noise.js';
export { LkPositionEmbedding, LkSliceLast, LkHoleHash, LkWordBag, registerTextLayers } from './models/layers.js';
export {
  editDistance,
  scoreReconstructions,
  evaluateReconstruction,
  evaluateFillIn,
  recallAtK,
  cosineMatrix,
  tfidfCosineMatrix,
  wordTokens,
  tfidfPairCosines,
} from './models/evaluate.js';
export type { ReconstructionScores, FillInScores, SentenceModelLike } from './models/evaluate.js';
