/**
 * @file Public API of @latentkit/text: the text modality descriptor, sentence encoders
 * (pretrained Transformers.js models) and the committed tiny fixture model, and the trainable
 * sentence autoencoder with its recipes.
 */

// The modality descriptor (`modality` is the name loadModel and the CLI look for).
export { textModality, textModality as modality } from './modality/descriptor.js';
export { textRecipes, trainSentenceDefault } from './modality/recipes.js';
export { textCodec, sentencesOf, MAX_TEXT_BYTES, MAX_SENTENCES } from './modality/codec.js';
export { textLinesLayout } from './modality/datasets.js';

export { SentenceEncoder, DEFAULT_SENTENCE_MODEL } from './pretrained/sentence-encoder.js';
export type { SentenceEncoderOptions, SentenceEncoderConfig, SentenceEncoderDtype } from './pretrained/sentence-encoder.js';
export { tinySentenceEncoderPath } from './pretrained/tiny-sentence-encoder.js';
export { decodeText, splitLines } from './io/text-lines.js';
export type { TextEncodingName } from './io/text-lines.js';

// ---- Trainable sentence autoencoder (src/autoencoder) and the WordNet corpus (src/corpus) ----
export { SentenceAutoencoder, defaultSentenceAutoencoderPath, resolveSentenceAutoencoderConfig, DEFAULT_CONTEXT_HASHES } from './models/sentence-autoencoder.js';
export type { SentenceAutoencoderOptions, SentenceAutoencoderConfig, SentencePair, SentenceSample, FillInOptions, ContextHashSpec, WordBagSpec } from './models/sentence-autoencoder.js';
export { CharVocabulary, defaultCharacters, normalizeSentence, GAP_MARKER, UNKNOWN_CHAR } from './models/vocabulary.js';
export { Lexicon, wordSpans } from './models/lexicon.js';
export { WordNgram, SENTENCE_START, SENTENCE_END } from './models/word-ngram.js';
export type { WordNgramJson, WordNgramOptions } from './models/word-ngram.js';
export type { LexiconJson, WordSpan } from './models/lexicon.js';
export { WordSpace, tfidfDocumentMatrix } from './word-space/word-space.js';
export { LemmaBag } from './word-space/lemma-bag.js';
export type { LemmaBagJson, LemmaRelationsJson } from './word-space/lemma-bag.js';
export { CharGramBag } from './word-space/char-gram-bag.js';
export type { CharGramBagJson } from './word-space/char-gram-bag.js';
export { MeaningSpace } from './word-space/meaning-space.js';
export type { MeaningSpaceJson, MeaningCodes, MeaningSpaceOptions } from './word-space/meaning-space.js';
export { parseSts, readSts, spearman, pairCosines } from './datasets/sts.js';
export type { StsPair } from './datasets/sts.js';
export type { WordSpaceOptions, WordSpaceJson, WordSpaceFiles, TfidfDocumentMatrix } from './word-space/word-space.js';
export type { CharVocabularyJson, NormalizedSentence } from './models/vocabulary.js';
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
export { readWordNet, wordnetSentences, wordnetPairs, wordnetDocuments, wordnetDictPath, wordnetSplitOf, countWords } from './datasets/wordnet.js';
export type { WordNetSynset, WordNetPos, WordNetSplit, ReadWordNetOptions, WordNetSentenceOptions, WordNetPair } from './datasets/wordnet.js';
export { textModels } from './models/model-list.js';
