/**
 * @file Public API of @latentkit/text: sentence encoders (pretrained Transformers.js models) and
 * the committed tiny fixture model.
 */
export { SentenceEncoder, DEFAULT_SENTENCE_MODEL } from './pretrained/sentence-encoder.js';
export type { SentenceEncoderOptions, SentenceEncoderConfig, SentenceEncoderDtype } from './pretrained/sentence-encoder.js';
export { tinySentenceEncoderPath } from './pretrained/tiny-sentence-encoder.js';
