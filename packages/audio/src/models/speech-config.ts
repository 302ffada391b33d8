/**
 * @file The speech autoencoder's options (what a caller may pass) and config (resolved,
 * JSON-safe, saved with the weights), with their validation.
 */
import { InvalidArgumentError, ShapeMismatchError, type ModelConfig } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { checkSampleRate } from '../io/audio-clip.js';
import { resolveMelConfig, type MelConfig, type MelOptions } from '../features/mel.js';
import { checkSpeechOptions } from './speech-config-check.js';

/**
 * A training clip that may say who speaks. With labels on every clip of a batch (a batch with
 * any unlabelled clip trains unsupervised), training adds the weak supervision of
 * `sameSpeakerSwap`, `sameSpeakerPull` and `contentSpeakerMatch`; labels are read only by
 * `fit` (codes never depend on them).
 */
export interface LabelledClip extends AudioClip {
  /** Any id of the speaker (e.g. FSDD's `jackson`). */
  speaker?: string;
}

/** Mel settings a caller may override; the sample rate is the model's own. */
export type SpeechMelOptions = Omit<MelOptions, 'sampleRate'>;

/** What a caller may pass to {@link SpeechAutoencoder.create}. */
export interface SpeechAutoencoderOptions {
  /** Rate every input is resampled to (Hz). @default 16000 */
  sampleRate?: number;
  /**
   * Log-mel settings. @default nFft 256 up to 8 kHz, 512 up to 16 kHz, 1024 above; hop
   * sampleRate/100 (10 ms), winLength sampleRate/40 (25 ms), 64 mel bands (40 below 16 kHz), fMin 0, fMax sampleRate/2
   */
  mel?: SpeechMelOptions;
  /** Size of the speaker code. @default 64 */
  speakerDim?: number;
  /** Channels of the content code per frame. @default 8 */
  contentDim?: number;
  /**
   * The pooled content vector is the mean of the content code over this many equal time
   * segments, concatenated, so it keeps the coarse order of what is said. @default 4
   */
  poolSegments?: number;
  /**
   * Subtract the clip's mean content code (over its active range) from every segment mean,
   * so the pooled vector keeps the course of what is said and drops the clip's average
   * content frame, where a voice's and a recording's traits collect. Measured on FSDD (one
   * model, probes on held-out takes): speaker read from the pooled code 0.56 -> 0.41, digit
   * 0.89 -> 0.89. Saved models without the field keep uncentred pooling. @default true
   */
  centerPooled?: boolean;
  /**
   * Pooling skips leading and trailing frames whose mean log-mel lies more than this many
   * nats (1 nat = 8.7 dB) below the loudest frame's. @default 3
   */
  activityThreshold?: number;
  /** Hidden channels of every convolution. @default 64 */
  channels?: number;
  /** Width of the time convolutions (odd). @default 5 */
  kernelSize?: number;
  /** Residual blocks of the content encoder. @default 3 */
  contentBlocks?: number;
  /** Condition the content encoder on the speaker code (conditional-VAE style). @default true */
  conditionContent?: boolean;
  /** Residual blocks of the speaker encoder. @default 2 */
  speakerBlocks?: number;
  /** Residual AdaIN blocks of the decoder. @default 3 */
  decoderBlocks?: number;
  /** Length of the random crops training uses (frames). @default 64 */
  segmentFrames?: number;
  /** Weight of the KL term on the content code. @default 0.05 */
  beta?: number;
  /**
   * Share of the reconstruction loss computed with a "borrowed" speaker code: each clip is
   * decoded with the similarity-weighted mean of the other clips' speaker codes in its batch
   * (softmax over cosine / `swapTemperature`, itself excluded). A code that described what is
   * said would borrow the voices of other speakers saying the same thing and reconstruct
   * badly, so this pushes the speaker code towards voice only. On FSDD (4 epochs) 0.5 to 1
   * together with `speakerPull` cut the digit read from the speaker code from ~89% to ~45%,
   * but speaker accuracy fell to 81-87% and more voice went into the content code, so it is
   * off by default. @default 0
   */
  speakerSwap?: number;
  /** Temperature of the borrowing and pulling softmaxes over cosine similarities. @default 0.1 */
  swapTemperature?: number;
  /**
   * Weight of the cross-neighbour pull on speaker codes (no labels needed): each speaker code
   * is pulled towards batch clips with a similar speaker code but a dissimilar content code,
   * most likely the same voice saying something else. See `speakerSwap` for its measured
   * trade-off. 0 turns it off. @default 0
   */
  speakerPull?: number;
  /**
   * Weak supervision, used only when training clips carry a `speaker` label
   * ({@link LabelledClip}): share of the reconstruction computed with the speaker code of
   * *other* clips by the same speaker in the batch (their mean). The voice must then come
   * from the speaker code and the words from the content code, since the partner clip says
   * something else. Clips without a same-speaker partner in the batch use their own code.
   * @default 1
   */
  sameSpeakerSwap?: number;
  /**
   * Weak supervision, with `speaker` labels only: weight of a term that pulls the per-speaker
   * means of the (batch-standardised) pooled content code together, so what is said reads
   * the same whoever says it; a linear read-out of the speaker from the content code has
   * nothing left to go on when every speaker's mean is the same. @default 1
   */
  contentSpeakerMatch?: number;
  /**
   * Weak supervision, with `speaker` labels only: weight of a pull of each (batch-standardised)
   * speaker code towards the mean code of the other clips by its speaker, so the code stops
   * varying with what is said. @default 1
   */
  sameSpeakerPull?: number;
  /**
   * Weight of a penalty (no labels needed) on the squared cross-correlations, over the batch,
   * between the speaker code and the pooled content code (with the clip's mean content frame
   * when `centerPooled`). What one code linearly predicts of the other is information both
   * hold twice: the words in the speaker code, the voice in the content code. Measured on
   * FSDD with speaker labels (see bench/suites/audio.ts): 1 lowered the digit read from the
   * speaker code and the speaker read from the content code by 0.02-0.10 each; 2-3 cost
   * digit accuracy of the content code. 0 turns it off. @default 0
   */
  codeDecorrelation?: number;
  /**
   * Nuisance attribute projection (Solomonoff, Campbell and Boardman 2005, from speaker
   * verification), fitted at the end of a `fit` whose clips carry `speaker` labels: `speaker`
   * directions along which one speaker's codes vary most (what is said, how it is recorded)
   * are projected out of the speaker code, and `content` directions along which the speakers'
   * mean pooled content codes differ most (who says it) out of the pooled content code. The
   * training terms above push the same way; this removes what they leave in a linear read-out.
   * Codes are projected around the training codes' mean. The decoder gets the projected
   * speaker code too, and relied on the removed directions (FSDD mel L1 0.31 -> 0.52), so
   * `decoderEpochs` more epochs then train the decoder alone on projected codes, the encoders
   * frozen. A `fit` without labels drops
   * the projection (the codes it was fitted to move). Measured on an earlier FSDD benchmark
   * model (bench/suites/audio.ts, then with 8 content dimensions per frame and batches of 32;
   * linear probes, test takes): 8 / 12 / 16 / 20 / 24 speaker
   * directions of 64 took the digit read from the speaker code from 0.317 to 0.300 / 0.270 /
   * 0.243 / 0.150 / 0.180 at speaker accuracy 0.990 / 0.990 / 0.990 / 0.983 / 0.937. 1 / 2 / 3
   * content directions took the speaker read from the content code from 0.403 to 0.327 /
   * 0.310 / 0.253 but the digit read from 0.907 to 0.880 / 0.860 / 0.857 (on tts-speakers 2
   * directions lowered the speaker read 0.208 -> 0.139 and raised the digit read 0.88 -> 0.90):
   * there, what says who and what says which digit share directions. With 16 content
   * dimensions per frame and batches of 64 (the FSDD benchmark's recipe) they share fewer: 1 / 3
   * content directions took the speaker read from 0.413 to 0.317 / 0.260 at digit 0.943 ->
   * 0.923, and 24 speaker directions the digit read from the speaker code to 0.203 at speaker
   * accuracy 0.993. 0 turns a side off.
   * Off by default because of that cost: in the full benchmark runs with 16 speaker
   * directions, the mel L1 went 0.314 -> 0.347 on FSDD and 0.217 -> 0.290 on tts-speakers.
   * `keepSpeakers: true` takes the speaker directions outside the subspace spanned by the
   * training speakers' mean codes, so the projection never removes what tells them apart. For
   * few speakers judged on other takes of the same voices (FSDD) that is what counts: plain
   * NAP took every direction a rank-13..27 speaker code varied along, and the speaker probe
   * fell from 0.953 (raw code) to 0.387; kept apart it stays 0.953 with digits read at 0.18.
   * For many voices judged on unseen ones (tts-speakers) plain NAP generalises better: the
   * held-out EER is 0.051 with it and 0.097 with `keepSpeakers` (same model, codes re-projected).
   * `chooseSpeaker: true` makes `speaker` a maximum: the count (0, 4, 8, ...) is chosen by
   * leave-voices-out validation on the training codes (see `chooseSpeakerDirections`), since
   * the best count moves from one training run to the next.
   * @default { speaker: 0, content: 0, decoderEpochs: 3, keepSpeakers: false, chooseSpeaker: false }
   */
  nuisanceProjection?: { speaker?: number; content?: number; decoderEpochs?: number; keepSpeakers?: boolean; chooseSpeaker?: boolean };
  /** Fitted projection directions (rows, unit length) to reuse; normally set by `fit`. */
  nuisanceDirections?: NuisanceDirections | null;
  /**
   * Per-mel-bin mean and standard deviation of the log-mel over a dataset. When absent, the
   * first `fit` computes them from its training data.
   */
  normalization?: { mean: number[]; std: number[] };
  /** Longest input accepted (s); longer clips throw {@link InputTooLargeError}. @default 120 */
  maxSeconds?: number;
  /** Griffin-Lim iterations when turning mels into audio. @default 32 */
  griffinLimIterations?: number;
  /** Seed of the weight initialisers. @default 1 */
  seed?: number;
}

/** Directions projected out of the codes (see {@link SpeechAutoencoderOptions.nuisanceProjection}). */
export type NuisanceDirections = {
  /** Rows of length `speakerDim`. */
  speaker: number[][];
  /** Rows of length `poolSegments * contentDim`. */
  content: number[][];
  /**
   * The training codes' means. Codes are projected around them (`x - V Vᵀ (x - mean)`), so the
   * average code the decoder was trained on stays where it was.
   */
  speakerMean: number[];
  contentMean: number[];
};

/** Resolved, JSON-safe config saved with the model (`latentkit.json`). */
export interface SpeechAutoencoderConfig extends ModelConfig {
  kind: 'audio/speaker-content-ae';
  version: 1;
  modality: 'audio';
  sampleRate: number;
  mel: MelConfig;
  speakerDim: number;
  contentDim: number;
  poolSegments: number;
  centerPooled: boolean;
  activityThreshold: number;
  channels: number;
  kernelSize: number;
  contentBlocks: number;
  conditionContent: boolean;
  speakerBlocks: number;
  decoderBlocks: number;
  segmentFrames: number;
  beta: number;
  speakerSwap: number;
  swapTemperature: number;
  speakerPull: number;
  sameSpeakerSwap: number;
  contentSpeakerMatch: number;
  sameSpeakerPull: number;
  codeDecorrelation: number;
  /** How many directions `fit` projects out (with speaker labels), and decoder-only epochs after. */
  nuisanceProjection: { speaker: number; content: number; decoderEpochs: number; keepSpeakers: boolean; chooseSpeaker: boolean };
  /** The fitted directions, or null (no projection). */
  nuisanceDirections: NuisanceDirections | null;
  /** Per-bin log-mel mean, or null until the first `fit` sets it. */
  melMean: number[] | null;
  /** Per-bin log-mel standard deviation, or null until the first `fit` sets it. */
  melStd: number[] | null;
  maxSeconds: number;
  griffinLimIterations: number;
  seed: number;
}

/**
 * Fills defaults and validates {@link SpeechAutoencoderOptions}.
 * @param o caller options.
 * @returns the resolved config.
 * @throws {InvalidArgumentError} naming the offending field.
 * @example
 * ```ts
 * resolveSpeechAutoencoderConfig({ sampleRate: 8000 }).mel.nMels; // 40
 * ```
 */
export function resolveSpeechAutoencoderConfig(o: SpeechAutoencoderOptions = {}): SpeechAutoencoderConfig {
  checkSpeechOptions(o);
  const sampleRate = o.sampleRate ?? 16000;
  checkSampleRate(sampleRate, 'SpeechAutoencoder: sampleRate');
  const defaultNfft = sampleRate <= 8000 ? 256 : sampleRate <= 16000 ? 512 : 1024;
  const mel = resolveMelConfig({
    nFft: defaultNfft,
    hop: Math.round(sampleRate / 100),
    winLength: Math.min(defaultNfft, Math.round(sampleRate / 40)),
    nMels: sampleRate < 16000 ? 40 : 64,
    ...o.mel,
    sampleRate,
  });
  const config: SpeechAutoencoderConfig = {
    kind: 'audio/speaker-content-ae',
    version: 1,
    modality: 'audio',
    sampleRate,
    mel,
    speakerDim: o.speakerDim ?? 64,
    contentDim: o.contentDim ?? 8,
    poolSegments: o.poolSegments ?? 4,
    centerPooled: o.centerPooled ?? true,
    activityThreshold: o.activityThreshold ?? 3,
    channels: o.channels ?? 64,
    kernelSize: o.kernelSize ?? 5,
    contentBlocks: o.contentBlocks ?? 3,
    conditionContent: o.conditionContent ?? true,
    speakerBlocks: o.speakerBlocks ?? 2,
    decoderBlocks: o.decoderBlocks ?? 3,
    segmentFrames: o.segmentFrames ?? 64,
    beta: o.beta ?? 0.05,
    speakerSwap: o.speakerSwap ?? 0,
    swapTemperature: o.swapTemperature ?? 0.1,
    speakerPull: o.speakerPull ?? 0,
    sameSpeakerSwap: o.sameSpeakerSwap ?? 1,
    contentSpeakerMatch: o.contentSpeakerMatch ?? 1,
    sameSpeakerPull: o.sameSpeakerPull ?? 1,
    codeDecorrelation: o.codeDecorrelation ?? 0,
    nuisanceProjection: {
      speaker: o.nuisanceProjection?.speaker ?? 0,
      content: o.nuisanceProjection?.content ?? 0,
      decoderEpochs: o.nuisanceProjection?.decoderEpochs ?? 3,
      keepSpeakers: o.nuisanceProjection?.keepSpeakers ?? false,
      chooseSpeaker: o.nuisanceProjection?.chooseSpeaker ?? false,
    },
    nuisanceDirections: o.nuisanceDirections
      ? {
          speaker: o.nuisanceDirections.speaker.map((r) => [...r]),
          content: o.nuisanceDirections.content.map((r) => [...r]),
          speakerMean: [...o.nuisanceDirections.speakerMean],
          contentMean: [...o.nuisanceDirections.contentMean],
        }
      : null,
    melMean: o.normalization ? [...o.normalization.mean] : null,
    melStd: o.normalization ? [...o.normalization.std] : null,
    maxSeconds: o.maxSeconds ?? 120,
    griffinLimIterations: o.griffinLimIterations ?? 32,
    seed: o.seed ?? 1,
  };
  const positive: [string, number][] = [
    ['speakerDim', config.speakerDim],
    ['contentDim', config.contentDim],
    ['poolSegments', config.poolSegments],
    ['channels', config.channels],
    ['kernelSize', config.kernelSize],
    ['segmentFrames', config.segmentFrames],
  ];
  for (const [k, v] of positive) {
    if (!Number.isInteger(v) || v <= 0 || v > 4096) throw new InvalidArgumentError(`SpeechAutoencoder: ${k} must be an integer in [1, 4096]; got ${v}.`);
  }
  for (const [k, v] of [['contentBlocks', config.contentBlocks], ['speakerBlocks', config.speakerBlocks], ['decoderBlocks', config.decoderBlocks]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 32) throw new InvalidArgumentError(`SpeechAutoencoder: ${k} must be an integer in [0, 32]; got ${v}.`);
  }
  if (config.kernelSize % 2 === 0) throw new InvalidArgumentError(`SpeechAutoencoder: kernelSize must be odd; got ${config.kernelSize}.`);
  if (!(config.activityThreshold > 0)) throw new InvalidArgumentError(`SpeechAutoencoder: activityThreshold must be > 0; got ${config.activityThreshold}.`);
  if (!(config.beta >= 0 && Number.isFinite(config.beta))) throw new InvalidArgumentError(`SpeechAutoencoder: beta must be a finite number >= 0; got ${config.beta}.`);
  if (!(config.maxSeconds > 0 && config.maxSeconds <= 3600)) throw new InvalidArgumentError(`SpeechAutoencoder: maxSeconds must be in (0, 3600]; got ${config.maxSeconds}.`);
  if (!(config.speakerSwap >= 0 && config.speakerSwap <= 1)) throw new InvalidArgumentError(`SpeechAutoencoder: speakerSwap must be in [0, 1]; got ${config.speakerSwap}.`);
  if (!(config.speakerPull >= 0 && Number.isFinite(config.speakerPull))) {
    throw new InvalidArgumentError(`SpeechAutoencoder: speakerPull must be a finite number >= 0; got ${config.speakerPull}.`);
  }
  if (!(config.sameSpeakerSwap >= 0 && config.sameSpeakerSwap <= 1)) throw new InvalidArgumentError(`SpeechAutoencoder: sameSpeakerSwap must be in [0, 1]; got ${config.sameSpeakerSwap}.`);
  for (const [k, v] of [
    ['contentSpeakerMatch', config.contentSpeakerMatch],
    ['sameSpeakerPull', config.sameSpeakerPull],
    ['codeDecorrelation', config.codeDecorrelation],
  ] as const) {
    if (!(v >= 0 && Number.isFinite(v))) throw new InvalidArgumentError(`SpeechAutoencoder: ${k} must be a finite number >= 0; got ${v}.`);
  }
  if (!(config.swapTemperature > 0 && Number.isFinite(config.swapTemperature))) {
    throw new InvalidArgumentError(`SpeechAutoencoder: swapTemperature must be a finite number > 0; got ${config.swapTemperature}.`);
  }
  if (!Number.isInteger(config.griffinLimIterations) || config.griffinLimIterations < 0 || config.griffinLimIterations > 1000) {
    throw new InvalidArgumentError(`SpeechAutoencoder: griffinLimIterations must be an integer in [0, 1000]; got ${config.griffinLimIterations}.`);
  }
  if (o.normalization) checkNormalization(o.normalization.mean, o.normalization.std, mel.nMels);
  const pooledDim = config.poolSegments * config.contentDim;
  const adapt = config.nuisanceProjection.decoderEpochs;
  if (!Number.isInteger(adapt) || adapt < 0 || adapt > 1000) {
    throw new InvalidArgumentError(`SpeechAutoencoder: nuisanceProjection.decoderEpochs must be an integer in [0, 1000]; got ${adapt}.`);
  }
  for (const [side, limit] of [['speaker', config.speakerDim], ['content', pooledDim]] as const) {
    const k = config.nuisanceProjection[side];
    if (!Number.isInteger(k) || k < 0 || k >= limit) {
      throw new InvalidArgumentError(`SpeechAutoencoder: nuisanceProjection.${side} must be an integer in [0, ${limit - 1}]; got ${k}.`);
    }
  }
  const dirs = config.nuisanceDirections;
  if (dirs) {
    const finiteRow = (r: unknown, width: number) => Array.isArray(r) && r.length === width && r.every((x) => typeof x === 'number' && Number.isFinite(x));
    for (const [side, width] of [['speaker', config.speakerDim], ['content', pooledDim]] as const) {
      const rows = dirs[side];
      if (!Array.isArray(rows) || rows.length >= width || !rows.every((r) => finiteRow(r, width))) {
        throw new InvalidArgumentError(`SpeechAutoencoder: nuisanceDirections.${side} must be fewer than ${width} rows of ${width} finite numbers.`);
      }
      if (!finiteRow(dirs[`${side}Mean`], width)) throw new InvalidArgumentError(`SpeechAutoencoder: nuisanceDirections.${side}Mean must be ${width} finite numbers.`);
    }
  }
  return config;
}

/**
 * Re-resolves a saved config (so a tampered folder is refused at load, not at first use):
 * the saved log-mel statistics come back as the `normalization` option.
 * @throws {InvalidArgumentError} for invalid fields.
 * @internal
 */
export function validateSavedSpeechConfig(saved: SpeechAutoencoderConfig): SpeechAutoencoderConfig {
  if (typeof saved.mel !== 'object' || saved.mel === null) throw new InvalidArgumentError(`mel must be an object of log-mel settings, got ${JSON.stringify(saved.mel)}.`);
  const { melMean, melStd } = saved;
  const hasStats = melMean != null || melStd != null;
  if (hasStats) {
    const n = saved.mel.nMels;
    for (const [name, v] of [['melMean', melMean], ['melStd', melStd]] as const) {
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new InvalidArgumentError(`${name} must be ${n} finite numbers (one per mel band).`);
      }
    }
  }
  return resolveSpeechAutoencoderConfig({
    ...(saved as unknown as SpeechAutoencoderOptions),
    // Models saved before the option existed pooled without centring.
    centerPooled: saved.centerPooled ?? false,
    // Models saved before nuisance projection existed keep their codes as they were.
    nuisanceProjection: saved.nuisanceProjection ?? { speaker: 0, content: 0, decoderEpochs: 0, keepSpeakers: false, chooseSpeaker: false },
    nuisanceDirections: saved.nuisanceDirections ?? null,
    normalization: hasStats ? { mean: melMean as number[], std: melStd as number[] } : undefined,
  });
}

function checkNormalization(mean: number[], std: number[], nMels: number): void {
  if (mean.length !== nMels || std.length !== nMels) {
    throw new ShapeMismatchError(`SpeechAutoencoder: normalization needs ${nMels} means and stds (one per mel band); got ${mean.length} and ${std.length}.`);
  }
  if (!mean.every(Number.isFinite) || !std.every((s) => Number.isFinite(s) && s > 0)) {
    throw new InvalidArgumentError('SpeechAutoencoder: normalization means must be finite and stds finite and > 0.');
  }
}
