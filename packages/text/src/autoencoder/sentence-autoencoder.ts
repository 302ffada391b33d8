/**
 * @file A trainable character-level sentence autoencoder: one fixed-size vector per sentence,
 * a decoder that writes the sentence back, and gap filling from a denoising objective.
 *
 * Why characters, not subwords: the vocabulary is ~100 symbols, so there is no out-of-vocabulary
 * word, no tokenizer to ship or train, and both exact-match reconstruction and filling in a
 * single missing character are natural at this granularity (a subword model would have to
 * restore a whole piece for one missing letter). The price is longer sequences, which is cheap
 * here because every layer is parallel over time.
 *
 * Why convolutions, not recurrence: on the wasm backend a GRU runs a few kernel calls per time
 * step (~150 sentences/s); 1-D convolutions and dense layers over `[batch * time, d]` run the
 * whole sequence in a handful of large kernels. Lengths are halved and doubled by reshapes
 * (neighbours side by side, and sub-pixel upsampling). The decoder is non-autoregressive: it
 * reads the code as a short sequence of slots plus position embeddings and writes
 * `[maxLength, vocabulary]` logits for all positions at once.
 *
 * The code is `[global | local]` (what the decoder reads), and with a {@link WordSpace} also a
 * `meaning` part beside it: LSA word vectors averaged over the sentence, which pair sentences
 * that mean alike in other words, something a character model's code does not learn from
 * spelling. `local` keeps a few values per slot of characters (weights
 * shared over positions, so it learns fast and carries exact spelling to unseen sentences);
 * `global` is max-pooled over the sentence (a learned bag of features) and reaches every slot
 * of the decoder as sentence context.
 *
 * Filling gaps needs knowing which letters fit between which neighbours. Hashed context
 * embeddings ({@link LkHoleHash}: the characters around each position, the position itself left
 * out) give the encoder that memory at almost no compute, and an auxiliary head (`hole`) trains
 * them from every position, not just the gapped few percent.
 *
 * What pulls codes of related sentences together: denoising (after TSDAE: the encoder often sees
 * the sentence with characters gapped and must still produce a code from which the clean
 * sentence decodes) and an in-batch contrastive loss on the global part for sentence pairs
 * (e.g. a WordNet gloss and an example of the same synset, or a sentence and itself corrupted
 * differently, as in SimCSE).
 */
import { fileURLToPath } from 'node:url';
import {
  EmptyInputError,
  InvalidArgumentError,
  ModelFormatError,
  TfAutoencoder,
  initEngine,
  tf,
  makeLatent,
  wantsPart,
  type BatchingOptions,
  type Dataset,
  type FitOptions,
  type Latent,
  type History,
  type LoadOptions,
  type LossOutput,
  type ModelConfig,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';
import { corruptBatch, resolveNoise, type SentenceNoiseConfig } from './noise.js';
import { checkSentenceNetworks, checkSentenceOptions } from './sentence-config-check.js';
import { LkHoleHash, LkPositionEmbedding, LkSliceLast, LkWordBag, registerTextLayers } from './layers.js';
import { CharVocabulary, defaultCharacters, GAP_MARKER, normalizeSentence, SPECIAL_COUNT, UNK_ID } from './vocabulary.js';
import { Lexicon, wordSpans } from './lexicon.js';
import { WordSpace } from '../word-space/word-space.js';

/** Two sentences that should get close codes (a gloss and its example, a paraphrase). */
export interface SentencePair {
  text: string;
  positive: string;
}

/** A training sample: a sentence (reconstruction only) or a pair (reconstruction + closeness). */
export type SentenceSample = string | SentencePair;

/** What a caller may pass to {@link SentenceAutoencoder.create}. */
export interface SentenceAutoencoderOptions {
  /** Longest sentence in characters (code points); longer input is cut. A multiple of `2 ** (channels.length - 1)`. @default 64 */
  maxLength?: number;
  /** Character embedding size. @default 32 */
  embedDim?: number;
  /**
   * Channels at each resolution: full length, half, quarter... (each step halves the length by
   * putting neighbours side by side). The code's local part lives at the last resolution.
   * @default [96, 192]
   */
  channels?: number[];
  /** Convolutions at each resolution, in the encoder and (mirrored) in the decoder; the last must be >= 1. @default [1, 2] */
  depths?: number[];
  /** Convolution width (odd). @default 3 */
  kernelSize?: number;
  /**
   * Hashed context embeddings added to each character's embedding: for every position, the
   * `radius` characters on each side (the position itself left out) hashed into `buckets`
   * rows of a `dim`-wide table (see {@link LkHoleHash}); with `word: true` the window stops at
   * spaces, so the key is the rest of the word. A cheap memory of which characters fit between
   * which neighbours, learned from every position: what fills gaps. `[]` turns it off.
   * @default [{ radius: 2, buckets: 32749 }, { radius: 3, buckets: 65521 }, { radius: 7, buckets: 49157, dim: 8, word: true }]
   */
  contextHashes?: ContextHashSpec[];
  /** Width of a hashed context embedding whose spec gives no `dim`. @default 16 */
  contextDim?: number;
  /**
   * Weight of the auxiliary loss that trains the hashed context embeddings directly: a
   * position-wise linear head (network `hole`, used only in training) predicts every character
   * from its context embeddings alone. Without it the embeddings learn only from gapped
   * positions, a few percent of the text. 0 drops the head.
   * @default 1
   */
  holeWeight?: number;
  /**
   * Code values that describe the sentence as a whole: max-pooled over the sequence, so they do
   * not depend on where words sit; the contrastive loss and the decoder's sentence context use them.
   * @default 64
   */
  globalDim?: number;
  /** Feature detectors (a position-wise dense layer) max-pooled into the global part. @default 512 */
  globalFeatures?: number;
  /**
   * A hashed bag of words added to the global part ({@link LkWordBag}): each word (letters and
   * digits, case folded) hashed `hashes` times into `buckets` rows of a `dim`-wide table, the
   * mean over the sentence's words projected to `globalDim`. Character detectors learn
   * spelling; this lets the contrastive loss learn which words go together. Needs `globalDim > 0`.
   * @default null (none)
   */
  wordBag?: WordBagSpec | null;
  /**
   * Code values that describe the text position by position (`localDim / slots` per slot, a
   * slot being `2 ** (channels.length - 1)` characters); they carry the exact spelling.
   * A multiple of the slot count `maxLength / 2 ** (channels.length - 1)`.
   * @default 192
   */
  localDim?: number;
  /** Training corruption, or `false` for none. @default {@link DEFAULT_NOISE} */
  noise?: Partial<SentenceNoiseConfig> | false;
  /** Weight of the contrastive loss on {@link SentencePair} samples. @default 0.5 */
  contrastiveWeight?: number;
  /** Temperature of the contrastive softmax over cosines. @default 0.05 */
  temperature?: number;
  /** Characters the model knows; the rest read as unknown. @default printable ASCII without `_` */
  characters?: readonly string[];
  /** Seed of the weight initialisers. @default 1 */
  seed?: number;
}

/** Resolved, JSON-safe config saved with the model. */
export interface SentenceAutoencoderConfig extends ModelConfig {
  kind: 'text/sentence-ae';
  version: 1;
  modality: 'text';
  maxLength: number;
  embedDim: number;
  channels: number[];
  depths: number[];
  kernelSize: number;
  contextHashes: { radius: number; buckets: number; dim: number; word: boolean }[];
  contextDim: number;
  holeWeight: number;
  globalDim: number;
  globalFeatures: number;
  /** Absent in models saved before it existed: none. */
  wordBag?: Required<WordBagSpec> | null;
  localDim: number;
  /** `globalDim + localDim`: the code is `[global..., local...]`. */
  latentDim: number;
  noise: SentenceNoiseConfig;
  contrastiveWeight: number;
  temperature: number;
  vocabularySize: number;
  seed: number;
}

/** The hashed bag of words of the global part (see {@link SentenceAutoencoderOptions.wordBag}). */
export interface WordBagSpec {
  /** Rows of the table. */
  buckets: number;
  /** Width of a word vector. */
  dim: number;
  /** Hash functions per word. @default 2 */
  hashes?: number;
}

/** One hashed context embedding (see {@link SentenceAutoencoderOptions.contextHashes}). */
export interface ContextHashSpec {
  /** Characters taken on each side. */
  radius: number;
  /** Rows of the table (a prime spreads keys best). */
  buckets: number;
  /** Width of the table. @default contextDim */
  dim?: number;
  /** Stop the window at spaces (key = the rest of the word). @default false */
  word?: boolean;
}

/** The default hashed contexts: 2 and 3 characters each side, and the rest of the word. */
export const DEFAULT_CONTEXT_HASHES: readonly ContextHashSpec[] = [
  { radius: 2, buckets: 32749 },
  { radius: 3, buckets: 65521 },
  { radius: 7, buckets: 49157, dim: 8, word: true },
];

/** Options of {@link SentenceAutoencoder.fillIn}. */
export interface FillInOptions {
  /** Windows per forward pass. @default 256 */
  batchSize?: number;
  /**
   * Rounds of filling: each round fills the gaps the model is surest of (an equal share of
   * those left per round) and reads the text again, so later gaps see their neighbours filled.
   * @default 3
   */
  passes?: number;
  /**
   * How much the context head (network `hole`, when the model has one) adds to the decoder's
   * log-probabilities: `log p = log p_decoder + holeMix * log p_context`. 0 uses the decoder alone.
   * @default 1
   */
  holeMix?: number;
  /**
   * Weight of the word prior when the model has a lexicon (see {@link SentenceAutoencoder.lexicon}):
   * a gapped word is scored as a whole, `sum over its gaps of log p(letter) + lexiconWeight *
   * log p(word)`, against every lexicon word that agrees with its known letters. 0 fills letter
   * by letter. @default 1
   */
  lexiconWeight?: number;
  /**
   * Log prior of a word the lexicon lacks (the letter-by-letter guess competes with the
   * lexicon words at this prior). A word seen once in 1.3 million has a log prior of -14. @default -24
   */
  unknownWordLogPrior?: number;
}

const VOCAB_FILE = 'vocabulary.json';
const LEXICON_FILE = 'lexicon.json';
const WORD_SPACE_JSON = 'word-space.json';
const WORD_SPACE_BIN = 'word-space.bin';

/**
 * Fills defaults and validates.
 * @param o caller options.
 * @param vocabularySize ids the decoder writes (specials included).
 * @returns the resolved config.
 * @throws {InvalidArgumentError} on invalid sizes or rates.
 * @example
 * ```ts
 * resolveSentenceAutoencoderConfig({ maxLength: 32 }, 97).latentDim; // 256
 * ```
 */
export function resolveSentenceAutoencoderConfig(o: SentenceAutoencoderOptions, vocabularySize: number): SentenceAutoencoderConfig {
  checkSentenceOptions(o);
  const channels = [...(o.channels ?? [96, 192])];
  const depths = [...(o.depths ?? [1, 2])];
  const globalDim = o.globalDim ?? 64;
  const localDim = o.localDim ?? 192;
  const c: SentenceAutoencoderConfig = {
    kind: 'text/sentence-ae',
    version: 1,
    modality: 'text',
    maxLength: o.maxLength ?? 64,
    embedDim: o.embedDim ?? 32,
    channels,
    depths,
    kernelSize: o.kernelSize ?? 3,
    contextHashes: (o.contextHashes ?? DEFAULT_CONTEXT_HASHES).map((h) => ({ radius: h.radius, buckets: h.buckets, dim: h.dim ?? o.contextDim ?? 16, word: h.word ?? false })),
    contextDim: o.contextDim ?? 16,
    holeWeight: o.holeWeight ?? 1,
    globalDim,
    globalFeatures: o.globalFeatures ?? 512,
    wordBag: o.wordBag ? { buckets: o.wordBag.buckets, dim: o.wordBag.dim, hashes: o.wordBag.hashes ?? 2 } : null,
    localDim,
    latentDim: globalDim + localDim,
    noise: resolveNoise(o.noise),
    contrastiveWeight: o.contrastiveWeight ?? 0.5,
    temperature: o.temperature ?? 0.05,
    vocabularySize,
    seed: o.seed ?? 1,
  };
  const positive: [string, number][] = [
    ['maxLength', c.maxLength],
    ['embedDim', c.embedDim],
    ['kernelSize', c.kernelSize],
    ['localDim', c.localDim],
    ['globalFeatures', c.globalFeatures],
    ...c.channels.map((v, i) => [`channels[${i}]`, v] as [string, number]),
  ];
  for (const [k, v] of positive) if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`${k} must be a positive integer, got ${v}.`);
  if (!Number.isInteger(c.globalDim) || c.globalDim < 0) throw new InvalidArgumentError(`globalDim must be a non-negative integer, got ${c.globalDim}.`);
  if (c.channels.length < 1 || c.channels.length > 5) throw new InvalidArgumentError(`channels must list 1 to 5 widths, got ${c.channels.length}.`);
  if (c.depths.length !== c.channels.length || !c.depths.every((d) => Number.isInteger(d) && d >= 0 && d <= 8) || c.depths[c.depths.length - 1] < 1) {
    throw new InvalidArgumentError(`depths must list one integer in [0, 8] per resolution (${c.channels.length}), the last >= 1; got [${c.depths.join(', ')}].`);
  }
  const factor = 2 ** (c.channels.length - 1);
  if (c.maxLength % factor !== 0 || c.maxLength > 4096) throw new InvalidArgumentError(`maxLength must be a multiple of ${factor} and at most 4096, got ${c.maxLength}.`);
  const slots = c.maxLength / factor;
  if (c.localDim % slots !== 0) throw new InvalidArgumentError(`localDim must be a multiple of the ${slots} code slots (maxLength / ${factor}), got ${c.localDim}.`);
  if (!Number.isInteger(c.contextDim) || c.contextDim <= 0) throw new InvalidArgumentError(`contextDim must be a positive integer, got ${c.contextDim}.`);
  c.contextHashes.forEach((h, i) => {
    if (!Number.isInteger(h.radius) || h.radius < 1 || h.radius > 8 || !Number.isInteger(h.buckets) || h.buckets < 2 || h.buckets > 1 << 20 || !Number.isInteger(h.dim) || h.dim < 1) {
      throw new InvalidArgumentError(`contextHashes[${i}] must have an integer radius in [1, 8], buckets in [2, 2^20] and dim >= 1, got ${JSON.stringify(h)}.`);
    }
  });
  if (c.wordBag) {
    const w = c.wordBag;
    const ok = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
    if (!ok(w.buckets, 2, 1 << 20) || !ok(w.dim, 1, 4096) || !ok(w.hashes, 1, 4)) {
      throw new InvalidArgumentError(`wordBag must have integer buckets in [2, 2^20], dim in [1, 4096] and hashes in [1, 4], got ${JSON.stringify(w)}.`);
    }
    if (c.globalDim === 0) throw new InvalidArgumentError('wordBag adds to the global part: it needs globalDim > 0.');
  }
  if (c.kernelSize % 2 !== 1) throw new InvalidArgumentError(`kernelSize must be odd, got ${c.kernelSize}.`);
  if (!(c.holeWeight >= 0)) throw new InvalidArgumentError(`holeWeight must be >= 0, got ${c.holeWeight}.`);
  if (!(c.contrastiveWeight >= 0)) throw new InvalidArgumentError(`contrastiveWeight must be >= 0, got ${c.contrastiveWeight}.`);
  if (!(c.temperature > 0)) throw new InvalidArgumentError(`temperature must be > 0, got ${c.temperature}.`);
  return c;
}

type Sym = tf.SymbolicTensor;

/** Folds a character id to the id it counts as inside a word: letters and digits to lower case, the rest to 0. */
function wordFold(vocabulary: CharVocabulary): number[] {
  return Array.from({ length: vocabulary.size }, (_, id) => {
    const ch = id < SPECIAL_COUNT ? '' : vocabulary.charOf(id);
    if (!/^[\p{L}\p{N}]$/u.test(ch)) return 0;
    const lower = vocabulary.idOf(ch.toLowerCase());
    return lower > UNK_ID ? lower : id;
  });
}

function buildNetworks(c: SentenceAutoencoderConfig, vocabulary: CharVocabulary): Record<string, tf.LayersModel> {
  registerTextLayers();
  const spaceId = vocabulary.idOf(' ');
  const L = c.maxLength;
  const R = c.channels.length;
  const slots = L / 2 ** (R - 1);
  const perSlot = c.localDim / slots;
  let seed = c.seed * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (name: string, filters: number, x: Sym, activation: 'relu' | 'linear' = 'relu') =>
    tf.layers.conv1d({ filters, kernelSize: c.kernelSize, padding: 'same', activation, kernelInitializer: init(), name }).apply(x) as Sym;
  const last = (x: Sym) => x.shape[x.shape.length - 1] as number;
  // One resolution: `depth` convolutions to `width`, residual wherever the width already
  // matches (keeps deeper stacks trainable).
  const level = (prefix: string, width: number, depth: number, x: Sym): Sym => {
    let h = x;
    for (let i = 0; i < depth; i++) {
      const y = conv(`${prefix}_conv${i}`, width, h);
      h = last(h) === width ? (tf.layers.add({ name: `${prefix}_res${i}` }).apply([h, y]) as Sym) : y;
    }
    return h;
  };

  const ids = tf.input({ shape: [L], dtype: 'int32', name: 'enc_ids' });
  let h = tf.layers.embedding({ inputDim: c.vocabularySize, outputDim: c.embedDim, embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: seed++ }), name: 'enc_embed' }).apply(ids) as Sym;
  if (c.contextHashes.length > 0) {
    const features = [h];
    c.contextHashes.forEach((spec, i) => {
      const boundaries = spec.word ? [spaceId] : [];
      const keys = new LkHoleHash({ name: `enc_ctx${i}_hash`, radius: spec.radius, buckets: spec.buckets, base: c.vocabularySize, boundaries }).apply(ids) as Sym;
      features.push(tf.layers.embedding({ inputDim: spec.buckets, outputDim: spec.dim, embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed: seed++ }), name: `enc_ctx${i}_embed` }).apply(keys) as Sym);
    });
    h = tf.layers.concatenate({ name: 'enc_features' }).apply(features) as Sym;
  }
  h = new LkPositionEmbedding({ name: 'enc_pos', seed: seed++ }).apply(h) as Sym;
  for (let r = 0; r < R; r++) {
    // Halving the length is a reshape (neighbours side by side), not a strided convolution:
    // free, and nothing is thrown away.
    if (r > 0) h = tf.layers.reshape({ targetShape: [L / 2 ** r, 2 * last(h)], name: `enc_down${r}` }).apply(h) as Sym;
    h = level(`enc_l${r}`, c.channels[r], c.depths[r], h);
  }
  const local = tf.layers.flatten({ name: 'enc_local' }).apply(conv('enc_local_code', perSlot, h, 'linear')) as Sym;
  let code = local;
  if (c.globalDim > 0) {
    // Many narrow detectors (of words, stems, phrases) max-pooled: a learned bag of features.
    const detectors = tf.layers.dense({ units: c.globalFeatures, activation: 'relu', kernelInitializer: init(), name: 'enc_detect' }).apply(h) as Sym;
    const pooled = tf.layers.globalMaxPooling1d({ name: 'enc_pool' }).apply(detectors) as Sym;
    let global = tf.layers.dense({ units: c.globalDim, kernelInitializer: init(), name: 'enc_global_code' }).apply(pooled) as Sym;
    if (c.wordBag) {
      const bag = new LkWordBag({ name: 'enc_words', buckets: c.wordBag.buckets, dim: c.wordBag.dim, hashes: c.wordBag.hashes, fold: wordFold(vocabulary), seed: seed++ }).apply(ids) as Sym;
      const words = tf.layers.dense({ units: c.globalDim, kernelInitializer: init(), name: 'enc_words_code' }).apply(bag) as Sym;
      global = tf.layers.add({ name: 'enc_global_sum' }).apply([global, words]) as Sym;
    }
    code = tf.layers.concatenate({ name: 'enc_code' }).apply([global, local]) as Sym;
  }
  const encoder = tf.model({ inputs: ids, outputs: code, name: 'encoder' });

  const z = tf.input({ shape: [c.latentDim], name: 'dec_code' });
  const localIn = c.globalDim > 0 ? (new LkSliceLast({ name: 'dec_local_slice', begin: c.globalDim, size: c.localDim }).apply(z) as Sym) : z;
  let d = tf.layers.reshape({ targetShape: [slots, perSlot], name: 'dec_local_seq' }).apply(localIn) as Sym;
  if (c.globalDim > 0) {
    // The sentence-level part reaches every slot: context for filling gaps.
    const g = new LkSliceLast({ name: 'dec_global_slice', begin: 0, size: c.globalDim }).apply(z) as Sym;
    const gh = tf.layers.dense({ units: c.channels[R - 1], activation: 'relu', kernelInitializer: init(), name: 'dec_global' }).apply(g) as Sym;
    const broadcast = tf.layers.repeatVector({ n: slots, name: 'dec_global_seq' }).apply(gh) as Sym;
    d = tf.layers.concatenate({ name: 'dec_concat' }).apply([d, broadcast]) as Sym;
  }
  d = new LkPositionEmbedding({ name: 'dec_pos', seed: seed++ }).apply(d) as Sym;
  for (let r = R - 1; r >= 0; r--) {
    d = level(`dec_l${r}`, c.channels[r], c.depths[r], d);
    if (r > 0) {
      // Doubling the length: a convolution to twice the channels, then a reshape (sub-pixel).
      d = conv(`dec_up${r}_conv`, 2 * c.channels[r - 1], d);
      d = tf.layers.reshape({ targetShape: [L / 2 ** (r - 1), c.channels[r - 1]], name: `dec_up${r}` }).apply(d) as Sym;
    }
  }
  const logits = tf.layers.dense({ units: c.vocabularySize, kernelInitializer: init(), name: 'dec_logits' }).apply(d) as Sym;
  const decoder = tf.model({ inputs: z, outputs: logits, name: 'decoder' });
  if (c.contextHashes.length === 0 || c.holeWeight === 0) return { encoder, decoder };
  const features = tf.input({ shape: [L, c.contextHashes.reduce((n, h) => n + h.dim, 0)], name: 'hole_features' });
  const guess = tf.layers.dense({ units: c.vocabularySize, kernelInitializer: init(), name: 'hole_logits' }).apply(features) as Sym;
  return { encoder, decoder, hole: tf.model({ inputs: features, outputs: guess, name: 'hole' }) };
}

/**
 * The folder of the default model shipped with this package (`models/sentence-ae`), trained
 * on WordNet glosses and examples by `scripts/train-sentence-ae.ts`.
 * @returns an absolute folder path, valid from `src/` and `dist/` alike.
 * @example
 * ```ts
 * const ae = await SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
 * ```
 */
export function defaultSentenceAutoencoderPath(): string {
  // This file sits in src/autoencoder/ and dist/autoencoder/ alike, two levels below the package root.
  return fileURLToPath(new URL('../../models/sentence-ae', import.meta.url));
}

/**
 * Character-level sentence autoencoder (kind `text/sentence-ae`): `encode` gives one
 * `[latentDim]` vector per sentence, `decode` writes sentences back, `fillIn` restores
 * characters written as `_`.
 *
 * Input handling, the same in every method:
 * - text is normalised (NFC, whitespace runs to one space, trimmed) before encoding, so
 *   `reconstruct` returns the normalised form;
 * - empty or whitespace-only text throws {@link EmptyInputError} (naming its index);
 * - text longer than `maxLength` code points is cut to its first `maxLength` (see
 *   {@link SentenceAutoencoder.isTruncated}); `fillIn` instead works window by window;
 * - characters outside the vocabulary (non-Latin scripts, emoji) read as one unknown token
 *   each and decode as U+FFFD; `_` always reads as a gap.
 *
 * @example
 * ```ts
 * const ae = await SentenceAutoencoder.loadDefault();
 * const [code] = await ae.encode(['the cat sat on the mat']);   // code.shape = [256]
 * const [text] = await ae.decode([code]);                        // 'the cat sat on the mat'
 * const [filled] = await ae.fillIn(['the c_t sat on the m_t']); // 'the cat sat on the mat'
 * ```
 */
export class SentenceAutoencoder extends TfAutoencoder<string, string, SentenceAutoencoderConfig> {
  static readonly kind = 'text/sentence-ae';

  protected constructor(
    config: SentenceAutoencoderConfig,
    networks: Record<string, tf.LayersModel>,
    /** The characters the model reads and writes. */
    readonly vocabulary: CharVocabulary,
    private wordList?: Lexicon,
    private meaningSpace?: WordSpace,
  ) {
    super(config, networks);
  }

  /** The word space behind the `meaning` part of codes (saved as `word-space.*`), or undefined. */
  get wordSpace(): WordSpace | undefined {
    return this.meaningSpace;
  }

  /**
   * Attaches a {@link WordSpace} (or removes it with `undefined`): from then on `encode` adds a
   * `meaning` part. Saved with the model; the decoder never reads it.
   * @example
   * ```ts
   * ae.setWordSpace(WordSpace.fit(documents, { dim: 256 }));
   * ```
   */
  setWordSpace(space: WordSpace | undefined): void {
    this.meaningSpace = space;
  }

  /**
   * The words of the training text with their counts (saved as `lexicon.json`), or undefined.
   * The first `fit` on an array builds it from that array; `fillIn` uses it as a word prior.
   */
  get lexicon(): Lexicon | undefined {
    return this.wordList;
  }

  /**
   * Replaces the lexicon (e.g. built from a larger corpus than the model trained on), or removes
   * it with `undefined`. Saved with the model.
   * @example
   * ```ts
   * ae.setLexicon(Lexicon.fromTexts(mySentences));
   * ```
   */
  setLexicon(lexicon: Lexicon | undefined): void {
    this.wordList = lexicon;
  }

  /**
   * Builds an untrained model.
   * @throws {InvalidArgumentError} for invalid options.
   * @example
   * ```ts
   * const ae = SentenceAutoencoder.create({ maxLength: 32, latentDim: 64 });
   * await ae.fit(sentences, { epochs: 5 });
   * ```
   */
  static create(options: SentenceAutoencoderOptions = {}): SentenceAutoencoder {
    const vocabulary = new CharVocabulary(options.characters ?? defaultCharacters());
    const config = resolveSentenceAutoencoderConfig(options, vocabulary.size);
    return new SentenceAutoencoder(config, buildNetworks(config, vocabulary), vocabulary);
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @throws {ModelFormatError} for a malformed folder or vocabulary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SentenceAutoencoder> {
    registerTextLayers();
    return TfAutoencoder.loadFolder(
      dir,
      {
        kind: SentenceAutoencoder.kind,
        version: 1,
        networks: ['encoder', 'decoder'],
        validate: (c) => {
          const size = (c as { vocabularySize?: unknown }).vocabularySize;
          if (typeof size !== 'number' || !Number.isInteger(size) || size <= SPECIAL_COUNT || size > 1 << 20) {
            throw new InvalidArgumentError(`vocabularySize must be an integer in (${SPECIAL_COUNT}, ${1 << 20}], got ${JSON.stringify(size)}.`);
          }
          return resolveSentenceAutoencoderConfig(c as unknown as SentenceAutoencoderOptions, size);
        },
      },
      (config, networks, folder) => {
        checkSentenceNetworks(config, networks);
        const file = `${dir}/${VOCAB_FILE}`;
        const bytes = folder.extraFile(VOCAB_FILE);
        if (!bytes) throw new ModelFormatError(`${dir} has no ${VOCAB_FILE}; it was not saved by SentenceAutoencoder.`, { file });
        const vocabulary = CharVocabulary.fromJSON(bytes, file);
        if (vocabulary.size !== config.vocabularySize) {
          throw new ModelFormatError(`${file} holds ${vocabulary.size} symbols but the config says vocabularySize ${config.vocabularySize}.`, { file });
        }
        // Optional: models saved before lexicons existed fill in letter by letter.
        const lexBytes = folder.extraFile(LEXICON_FILE);
        const lexicon = lexBytes ? Lexicon.fromJSON(lexBytes, `${dir}/${LEXICON_FILE}`) : undefined;
        // Optional too: without it codes have no `meaning` part.
        const wsJson = folder.extraFile(WORD_SPACE_JSON);
        const wsBin = folder.extraFile(WORD_SPACE_BIN);
        if (!wsJson !== !wsBin) {
          throw new ModelFormatError(`${dir} has ${wsJson ? WORD_SPACE_JSON : WORD_SPACE_BIN} without ${wsJson ? WORD_SPACE_BIN : WORD_SPACE_JSON}; a word space needs both.`, { file: `${dir}/${WORD_SPACE_JSON}` });
        }
        const space = wsJson && wsBin ? WordSpace.fromFiles(wsJson, wsBin, `${dir}/${WORD_SPACE_JSON}`) : undefined;
        return new SentenceAutoencoder(config, networks, vocabulary, lexicon, space);
      },
      options,
    );
  }

  /**
   * Loads the default model shipped with the package (trained on WordNet, no network needed).
   * @throws {ModelFormatError} when the shipped folder is damaged.
   */
  static loadDefault(): Promise<SentenceAutoencoder> {
    return SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
  }

  get codeShape(): number[] {
    return [this.config.latentDim];
  }

  /**
   * Encodes sentences into one `[latentDim]` latent each, laid out `[global..., local...]`
   * and also given as parts: `global` (`[globalDim]`, the sentence as a whole), `local`
   * (`[slots, localDim / slots]`, the text slot by slot) and, when the model has a
   * {@link WordSpace}, `meaning` (`[wordSpace.dim]`, unit length; what to compare sentences
   * by). `meaning` is not part of `data` (the decoder does not read it) and reads the whole
   * text, past `maxLength`. `options.parts` limits the parts computed (`[]`: none, the
   * fastest); `onProgress` and `signal` as in core's encode.
   * @throws {EmptyInputError} for empty or whitespace-only text.
   * @throws {AbortError} when `options.signal` aborts.
   * @example
   * ```ts
   * const [code] = await ae.encode(['a domestic animal']);
   * code.parts!.global.shape;  // [64]
   * code.parts!.meaning.shape; // [512] with the shipped model
   * ```
   */
  override async encode(inputs: string[], options: BatchingOptions = {}): Promise<Latent[]> {
    const latents = await super.encode(inputs, options);
    const { globalDim: G, localDim, maxLength, channels, kind } = this.config;
    const slots = maxLength / 2 ** (channels.length - 1);
    const meaning = wantsPart(options, 'meaning') ? this.meaningSpace?.embed(inputs) : undefined;
    latents.forEach((l, i) => {
      const parts: Record<string, Latent> = {};
      if (G > 0 && (wantsPart(options, 'global') || wantsPart(options, 'local'))) {
        parts.global = makeLatent(l.data.slice(0, G), [G], 'text', kind);
        parts.local = makeLatent(l.data.slice(G), [slots, localDim / slots], 'text', kind);
      }
      if (meaning) parts.meaning = makeLatent(meaning[i], [meaning[i].length], 'text', kind);
      if (Object.keys(parts).length > 0) l.parts = parts;
    });
    return latents;
  }

  protected override extraFiles(): Record<string, Uint8Array | string> {
    const files: Record<string, Uint8Array | string> = { [VOCAB_FILE]: JSON.stringify(this.vocabulary.toJSON()) };
    if (this.wordList) files[LEXICON_FILE] = JSON.stringify(this.wordList.toJSON());
    if (this.meaningSpace) {
      const { json, bin } = this.meaningSpace.toFiles();
      files[WORD_SPACE_JSON] = json;
      files[WORD_SPACE_BIN] = bin;
    }
    return files;
  }

  /** Whether `text` is longer than the model reads (so `encode` cuts it). */
  isTruncated(text: string): boolean {
    return normalizeSentence(text, this.config.maxLength).truncated;
  }

  private idsOf(texts: readonly string[]): tf.Tensor2D {
    const L = this.config.maxLength;
    const data = new Int32Array(texts.length * L);
    texts.forEach((t, i) => this.vocabulary.textToIds(t, L, data.subarray(i * L, (i + 1) * L)));
    return tf.tensor2d(data, [texts.length, L], 'int32');
  }

  /**
   * Sentences (or pairs) to tensors: `x` the (corrupted, when training) input ids, `target`
   * the clean ids, and for pairs `pairA`/`pairB`, the rows of each pair's two sentences.
   * @throws {EmptyInputError} for an empty or whitespace-only sentence.
   */
  collate(samples: readonly SentenceSample[], ctx?: StepContext): TensorBatch {
    const L = this.config.maxLength;
    const texts: string[] = [];
    const positives: string[] = [];
    const pairRows: number[] = [];
    samples.forEach((s, i) => {
      if (typeof s === 'string') {
        texts.push(normalizeSentence(s, L, i).text);
      } else if (s && typeof s === 'object' && typeof s.text === 'string' && typeof s.positive === 'string') {
        pairRows.push(texts.length);
        texts.push(normalizeSentence(s.text, L, i).text);
        positives.push(normalizeSentence(s.positive, L, i).text);
      } else {
        throw new InvalidArgumentError(`Sample ${i} must be a string or {text, positive}, got ${s === null ? 'null' : typeof s}.`);
      }
    });
    const clean = [...texts, ...positives];
    const inputs = ctx?.training && ctx ? corruptBatch(clean, this.config.noise, ctx.seed) : clean;
    const batch: TensorBatch = { x: this.idsOf(inputs), target: this.idsOf(clean) };
    // Contrast needs at least one other pair in the batch to contrast with.
    if (pairRows.length >= 2) {
      batch.pairA = tf.tensor1d(pairRows, 'int32');
      batch.pairB = tf.tensor1d(pairRows.map((_, k) => texts.length + k), 'int32');
    }
    return batch;
  }

  protected encodeBatch(batch: TensorBatch, training: boolean): tf.Tensor {
    return this.networks.encoder.apply(batch.x, { training }) as tf.Tensor;
  }

  protected decodeCodes(codes: tf.Tensor): tf.Tensor {
    return this.networks.decoder.apply(codes) as tf.Tensor;
  }

  /**
   * Logits `[n, maxLength, vocabulary]` of each character guessed from its hashed context alone
   * (the `hole` head), or undefined for a model without one.
   */
  private contextLogits(x: tf.Tensor): tf.Tensor | undefined {
    const head = this.networks.hole;
    if (!head) return undefined;
    const enc = this.networks.encoder;
    const feats = this.config.contextHashes.map((_, i) => enc.getLayer(`enc_ctx${i}_embed`).apply(enc.getLayer(`enc_ctx${i}_hash`).apply(x)) as tf.Tensor);
    return head.apply(feats.length === 1 ? feats[0] : tf.concat(feats, -1)) as tf.Tensor;
  }

  /** Cross-entropy of every position (end padding included) plus the contrastive term on pairs. */
  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    const z = this.encodeBatch(batch, ctx.training);
    const logits = this.decodeCodes(z) as tf.Tensor3D;
    const V = this.config.vocabularySize;
    const target = batch.target as tf.Tensor2D;
    const flatLogits = tf.reshape(logits, [-1, V]);
    const onehot = tf.oneHot(tf.reshape(target, [-1]), V);
    const recon = tf.losses.softmaxCrossEntropy(onehot, flatLogits) as tf.Scalar;
    const correct = tf.cast(tf.equal(tf.argMax(logits, -1), target), 'float32');
    const exact = tf.mean(tf.min(correct, 1)) as tf.Scalar;
    const metrics: Record<string, tf.Scalar> = { recon, exact };
    // A separate tensor: the trainer disposes the loss before it reads the metrics.
    let loss: tf.Scalar = tf.clone(recon);
    // The encoder's own hash and embedding layers, run eagerly on the same (corrupted) input.
    const guess = this.config.holeWeight > 0 ? this.contextLogits(batch.x) : undefined;
    if (guess) {
      const text = tf.cast(tf.notEqual(tf.reshape(target, [-1]), 0), 'float32');
      const hole = tf.losses.softmaxCrossEntropy(onehot, tf.reshape(guess, [-1, V]), text) as tf.Scalar;
      metrics.hole = hole;
      loss = tf.add(loss, tf.mul(hole, this.config.holeWeight)) as tf.Scalar;
    }
    if (batch.pairA && this.config.contrastiveWeight > 0) {
      // On the global part only: the local part must keep exact spelling, which a pull towards a
      // differently worded sentence would blur.
      const g = this.config.globalDim > 0 ? tf.slice(z, [0, 0], [-1, this.config.globalDim]) : z;
      const unit = tf.div(g, tf.maximum(tf.norm(g, 'euclidean', -1, true), 1e-6));
      const a = tf.gather(unit, batch.pairA);
      const b = tf.gather(unit, batch.pairB);
      const sims = tf.div(tf.matMul(a, b, false, true), this.config.temperature);
      const labels = tf.oneHot(tf.range(0, a.shape[0], 1, 'int32'), a.shape[0]);
      // Symmetric InfoNCE: each gloss must pick its example among the batch's, and back.
      const contrast = tf.mul(tf.add(tf.losses.softmaxCrossEntropy(labels, sims), tf.losses.softmaxCrossEntropy(labels, tf.transpose(sims))), 0.5) as tf.Scalar;
      metrics.contrast = contrast;
      loss = tf.add(loss, tf.mul(contrast, this.config.contrastiveWeight)) as tf.Scalar;
    }
    return { loss, metrics };
  }

  protected async toOutputs(decoded: tf.Tensor): Promise<string[]> {
    const ids = tf.argMax(decoded, -1);
    const data = (await ids.data()) as Int32Array;
    ids.dispose();
    const [n, L] = decoded.shape;
    return Array.from({ length: n }, (_, i) => this.vocabulary.idsToText(data.subarray(i * L, (i + 1) * L)));
  }

  /**
   * Trains in place (core's training loop). Samples are sentences, or {@link SentencePair}s
   * whose two sentences are also pulled together by the contrastive loss.
   * @returns per-epoch losses; metrics `recon`, `exact` (share of sentences the training step
   *   reconstructed exactly, from corrupted input) and `contrast`. Given an array and no
   *   lexicon yet, the words of its sentences become {@link SentenceAutoencoder.lexicon}.
   * @throws {EmptyInputError} when a sample is blank.
   */
  override fit(data: Dataset<SentenceSample> | readonly SentenceSample[], options: FitOptions<SentenceSample> = {}): Promise<History> {
    // Once: repeated or resumed fits on the same data must not count its words again.
    if (Array.isArray(data) && !this.wordList) {
      this.wordList = Lexicon.fromTexts((data as readonly SentenceSample[]).map((d) => (typeof d === 'string' ? d : d.text)));
    }
    // collate accepts pairs as well as strings; the base class only needs to hand samples through.
    return super.fit(data as Dataset<string>, options as FitOptions<string>);
  }

  /**
   * Restores gaps: every `_` in the input is replaced by the character the model finds most
   * likely there; every other character is kept as it is (no normalisation). Text longer than
   * `maxLength` is filled window by window.
   * @param texts strings with `_` where a character is missing.
   * @returns strings of the same length as the inputs.
   * @throws {EmptyInputError} for empty or whitespace-only text.
   * @example
   * ```ts
   * await ae.fillIn(['a d_mestic an_mal']); // ['a domestic animal']
   * ```
   */
  async fillIn(texts: readonly string[], options: FillInOptions = {}): Promise<string[]> {
    await initEngine();
    const L = this.config.maxLength;
    const cps = texts.map((t, i) => {
      if (typeof t !== 'string') throw new InvalidArgumentError(`Text ${i} must be a string, got ${t === null ? 'null' : typeof t}.`);
      if (t.trim().length === 0) throw new EmptyInputError(`Text ${i} is ${t.length === 0 ? 'empty' : 'whitespace only'}; nothing to fill in.`);
      return [...t];
    });
    // Windows that hold at least one gap, as [text index, start].
    const windows: [number, number][] = [];
    cps.forEach((c, i) => {
      for (let s = 0; s < c.length; s += L) if (c.slice(s, s + L).includes(GAP_MARKER)) windows.push([i, s]);
    });
    const bs = options.batchSize ?? 256;
    const passes = options.passes ?? 3;
    if (!Number.isInteger(passes) || passes < 1 || passes > 16) throw new InvalidArgumentError(`passes must be an integer in [1, 16], got ${passes}.`);
    const V = this.config.vocabularySize;
    const C = V - SPECIAL_COUNT;
    const holeMix = options.holeMix ?? 1;
    if (!(holeMix >= 0)) throw new InvalidArgumentError(`holeMix must be >= 0, got ${holeMix}.`);
    const lexiconWeight = options.lexiconWeight ?? 1;
    if (!(lexiconWeight >= 0)) throw new InvalidArgumentError(`lexiconWeight must be >= 0, got ${lexiconWeight}.`);
    const unknownPrior = options.unknownWordLogPrior ?? -24;
    if (!Number.isFinite(unknownPrior)) throw new InvalidArgumentError(`unknownWordLogPrior must be finite, got ${unknownPrior}.`);
    const lexicon = lexiconWeight > 0 ? this.wordList : undefined;
    for (let w = 0; w < windows.length; w += bs) {
      const chunk = windows.slice(w, w + bs);
      for (let pass = 0; pass < passes; pass++) {
        const ids = new Int32Array(chunk.length * L);
        chunk.forEach(([i, s], k) => cps[i].slice(s, s + L).forEach((ch, j) => (ids[k * L + j] = this.vocabulary.idOf(ch))));
        const logProbs = tf.tidy(() => {
          const x = tf.tensor2d(ids, [chunk.length, L], 'int32');
          let logits = tf.logSoftmax(this.decodeCodes(this.encodeBatch({ x }, false)));
          const context = holeMix > 0 ? this.contextLogits(x) : undefined;
          if (context) logits = tf.add(logits, tf.mul(tf.logSoftmax(context), holeMix));
          // A gap holds a character: never answer with padding, unknown or gap.
          return tf.logSoftmax(tf.slice(logits, [0, 0, SPECIAL_COUNT], [-1, -1, C]));
        });
        const lp = (await logProbs.data()) as Float32Array;
        logProbs.dispose();
        chunk.forEach(([i, s], k) => {
          const window = cps[i].slice(s, s + L);
          const choice = this.fillChoices(window, lp.subarray(k * L * C, (k + 1) * L * C), {
            lexicon,
            lexiconWeight,
            unknownPrior,
            // A word cut by the window's edge is not a whole word: leave it to the letters.
            cutStart: s > 0,
            cutEnd: s + L < cps[i].length,
          });
          const gaps = [...choice.keys()];
          // This round fills an equal share of the gaps left; the last round fills them all.
          const take = Math.ceil(gaps.length / (passes - pass));
          gaps.sort((a, b) => choice.get(b)!.confidence - choice.get(a)!.confidence);
          for (const j of gaps.slice(0, take)) cps[i][s + j] = choice.get(j)!.char;
        });
      }
    }
    return cps.map((c) => c.join(''));
  }

  /**
   * The character and the confidence for every gap of one window, from the model's
   * log-probabilities over characters (`[L, C]`, specials left out). With a lexicon, each gapped
   * word is decided as a whole among the lexicon's matching words and the letter-by-letter
   * guess; its confidence is that choice's posterior. Letters keep the case the model prefers.
   */
  private fillChoices(
    window: readonly string[],
    lp: Float32Array,
    o: { lexicon?: Lexicon; lexiconWeight: number; unknownPrior: number; cutStart: boolean; cutEnd: boolean },
  ): Map<number, { char: string; confidence: number }> {
    const C = this.config.vocabularySize - SPECIAL_COUNT;
    const out = new Map<number, { char: string; confidence: number }>();
    const best = (j: number): [number, number] => {
      let arg = 0;
      for (let c = 1; c < C; c++) if (lp[j * C + c] > lp[j * C + arg]) arg = c;
      return [arg, lp[j * C + arg]];
    };
    // Letter by letter: the surest character and its probability.
    window.forEach((ch, j) => {
      if (ch !== GAP_MARKER) return;
      const [arg, l] = best(j);
      out.set(j, { char: this.vocabulary.charOf(arg + SPECIAL_COUNT), confidence: Math.exp(l) });
    });
    if (!o.lexicon) return out;
    const lexicon = o.lexicon;
    const logTotal = Math.log(lexicon.total);
    // log p of a letter in either case; the case written is the likelier one.
    const letter = (j: number, lower: string): { lp: number; char: string } => {
      const upper = lower.toUpperCase();
      const a = this.vocabulary.idOf(lower) - SPECIAL_COUNT;
      const b = upper !== lower && [...upper].length === 1 ? this.vocabulary.idOf(upper) - SPECIAL_COUNT : -1;
      const la = a >= 0 ? lp[j * C + a] : -Infinity;
      const lb = b >= 0 ? lp[j * C + b] : -Infinity;
      const m = Math.max(la, lb);
      if (m === -Infinity) return { lp: -Infinity, char: lower };
      return { lp: m + Math.log(Math.exp(la - m) + Math.exp(lb - m)), char: lb > la ? upper : lower };
    };
    for (const span of wordSpans(window)) {
      const gaps = span.chars.flatMap((ch, k) => (ch === GAP_MARKER ? [k] : []));
      if (gaps.length === 0) continue;
      if ((o.cutStart && span.start === 0) || (o.cutEnd && span.start + span.chars.length === window.length)) continue;
      const candidates = lexicon.matching(span.chars);
      if (candidates.length === 0) continue;
      // The letter-by-letter guess, as a word the lexicon may lack.
      let guessScore = o.lexiconWeight * o.unknownPrior;
      for (const k of gaps) guessScore += best(span.start + k)[1];
      let top = { score: guessScore, word: undefined as string[] | undefined };
      const scores: number[] = [guessScore];
      for (const [word, count] of candidates) {
        let score = o.lexiconWeight * (Math.log(count) - logTotal);
        for (const k of gaps) score += letter(span.start + k, word[k]).lp;
        scores.push(score);
        if (score > top.score) top = { score, word };
      }
      if (!top.word) continue;
      let z = 0;
      for (const sc of scores) z += Math.exp(sc - top.score);
      const confidence = 1 / z;
      for (const k of gaps) out.set(span.start + k, { char: letter(span.start + k, top.word[k]).char, confidence });
    }
    return out;
  }
}

