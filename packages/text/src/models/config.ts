/**
 * @file Options and resolved config of the sentence autoencoder: what a caller may pass, the
 * JSON-safe config saved with the model, and the validation between them.
 */
import { InvalidArgumentError, type ModelConfig } from '@latentkit/core';
import { resolveNoise, type SentenceNoiseConfig } from './noise.js';
import { checkSentenceOptions } from './sentence-config-check.js';

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
