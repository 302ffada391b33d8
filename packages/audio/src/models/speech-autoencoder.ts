/**
 * @file A speaker/content speech autoencoder in the spirit of AdaIN-VC (Chou, Yeh and Lee,
 * "One-shot Voice Conversion by Separating Speaker and Content Representations with Instance
 * Normalization", Interspeech 2019), built from 1-D convolutions only so it trains on wasm:
 *
 * - a content encoder whose instance normalisation strips each utterance's channel statistics,
 *   ending in a mean and log-variance per frame (a KL term keeps the code small and Gaussian).
 *   Its normalisation has no learned affine with `conditionContent: false`; by default
 *   (`true`) it is an AdaIN driven by the speaker code with gradients stopped, so the content
 *   code need not carry what the speaker code already says;
 * - a speaker encoder that average-pools over time into one vector;
 * - a decoder that re-injects the speaker code through adaptive instance normalisation and
 *   predicts the normalised log-mel spectrogram.
 *
 * Swapping in another clip's speaker code converts the voice; Griffin-Lim (features module)
 * turns the predicted log-mel back into audio.
 *
 * This file is the model class; its concerns live beside it: options and config
 * (speech-config.ts), networks (speech-networks.ts), log-mel batches and pooling
 * (speech-features.ts), the objective (speech-losses.ts), the nuisance projection
 * (nuisance-projection.ts) and voice-conversion helpers (voice-conversion.ts).
 */
import {
  BatchProgress,
  EmptyInputError,
  InputTooLargeError,
  InvalidArgumentError,
  ShapeMismatchError,
  TfAutoencoder,
  ensureEngineSync,
  initEngine,
  makeLatent,
  tf,
  type BatchingOptions,
  type Dataset,
  type FitOptions,
  type History,
  type Latent,
  type LoadOptions,
  type LossOutput,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { checkSampleRate } from '../io/audio-clip.js';
import { resample } from '../io/resample.js';
import { logMelSpectrogram, type MelSpectrogram } from '../features/mel.js';
import { melToAudio } from '../features/griffin-lim.js';
import { registerAudioLayers } from './layers.js';
import { chooseSpeakerDirections, fitNuisanceDirections, projectAround } from './nuisance-projection.js';
import { checkSpeechNetworks } from './speech-config-check.js';
import { resolveSpeechAutoencoderConfig, validateSavedSpeechConfig, type LabelledClip, type SpeechAutoencoderConfig, type SpeechAutoencoderOptions } from './speech-config.js';
import { activeRange, batchesOf, decodeMels, meanWeights, melBatch, poolWeights, type MelBatch } from './speech-features.js';
import { speechLoss, stopGradient } from './speech-losses.js';
import { buildContentEncoder, buildDecoder, buildSpeakerEncoder } from './speech-networks.js';
import { cosine, speakerCodeOf, type ClipOrLatent } from './voice-conversion.js';

/**
 * Speaker/content speech autoencoder (kind `audio/speaker-content-ae`).
 *
 * Inputs are {@link AudioClip}s at any rate (resampled to `config.sampleRate`), turned into
 * log-mels normalised per mel band with dataset statistics stored in the config.
 *
 * `encode` returns one {@link Latent} per clip with parts:
 * - `speaker` `[speakerDim]`: who is speaking (mean-pooled over time);
 * - `content` `[frames, contentDim]`: what is said, frame by frame (the posterior mean);
 * - `contentPooled` `[poolSegments * contentDim]`: the content code averaged over
 *   `poolSegments` equal time segments of the clip's active (non-silent) range and
 *   concatenated, so it keeps the coarse order of what is said (minus the range's mean with
 *   `centerPooled`);
 *
 * and top-level `data` = `concat(speaker, contentPooled)`, shape
 * `[speakerDim + poolSegments * contentDim]`.
 *
 * Training (core's trainer, unsupervised): random crops of `segmentFrames` frames per batch
 * (seeded by the step seed; shorter clips are padded and masked), L1 on the normalised
 * log-mel + `beta` x KL of the content posterior, sampled with the step seed. The separation
 * of who from what comes from the architecture (instance norm in the content encoder, mean
 * pooling in the speaker encoder, AdaIN in the decoder) and is partial: on FSDD a linear probe
 * still reads the digit from the speaker code and the speaker from the pooled content code
 * well above chance (see bench/results/audio.json). Without labels, `speakerSwap` and
 * `speakerPull` trade speaker accuracy for less content in the speaker code. With speaker
 * labels on the training clips ({@link LabelledClip}) the separation is much cleaner: on FSDD
 * (20 epochs, `conditionContent: false`, `contentSpeakerMatch: 5`) the digit read from the
 * speaker code fell from 94% to 34% and the speaker read from the content code from 83% to 52%,
 * with the speaker code still naming the speaker 100% and the content code the digit 87%;
 * adding `codeDecorrelation: 1` and centred pooling took these to 32%, 40%, 99% and 91%.
 *
 * @example
 * ```ts
 * const model = SpeechAutoencoder.create({ sampleRate: 16000 });
 * await model.fit(clips, { epochs: 20, batchSize: 32 });
 * const converted = await model.convert(sourceClip, targetSpeakerClip);
 * const same = await model.speakerSimilarity(clipA, clipB); // cosine of speaker codes
 * ```
 */
export class SpeechAutoencoder extends TfAutoencoder<AudioClip, AudioClip, SpeechAutoencoderConfig> {
  static readonly kind = 'audio/speaker-content-ae';

  // Active only inside fit(): the trainer collates the same clips every epoch.
  private melCache: WeakMap<AudioClip, MelSpectrogram> | undefined;

  /**
   * Builds an untrained model.
   * @param options architecture, features and training settings; see {@link SpeechAutoencoderOptions}.
   * @returns the model.
   * @throws {InvalidArgumentError} for invalid options.
   * @example
   * ```ts
   * const model = SpeechAutoencoder.create({ sampleRate: 8000, speakerDim: 32 });
   * ```
   */
  static create(options: SpeechAutoencoderOptions = {}): SpeechAutoencoder {
    ensureEngineSync();
    registerAudioLayers();
    const c = resolveSpeechAutoencoderConfig(options);
    return new SpeechAutoencoder(c, {
      'content-encoder': buildContentEncoder(c),
      'speaker-encoder': buildSpeakerEncoder(c),
      decoder: buildDecoder(c),
    });
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @returns the model.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   * @throws {ModelFormatError} for a malformed folder.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SpeechAutoencoder> {
    registerAudioLayers();
    return TfAutoencoder.loadFolder(
      dir,
      {
        kind: SpeechAutoencoder.kind,
        version: 1,
        networks: ['content-encoder', 'speaker-encoder', 'decoder'],
        validate: (c) => validateSavedSpeechConfig(c as unknown as SpeechAutoencoderConfig),
      },
      (config, networks) => {
        checkSpeechNetworks(config, networks);
        return new SpeechAutoencoder(config, networks);
      },
      options,
    );
  }

  /** Shape of the top-level code: `[speakerDim + poolSegments * contentDim]`. */
  get codeShape(): number[] {
    return [this.config.speakerDim + this.config.poolSegments * this.config.contentDim];
  }

  /** Frames per second of the content code. */
  get frameRate(): number {
    return this.config.sampleRate / this.config.mel.hop;
  }

  // ---------------------------------------------------------------- features

  /** Samples at the model's rate, checked. */
  private samplesOf(clip: AudioClip, i: number): Float32Array {
    if (!clip || !(clip.samples instanceof Float32Array)) throw new InvalidArgumentError(`Input ${i} is not an AudioClip ({ samples: Float32Array, sampleRate }).`);
    checkSampleRate(clip.sampleRate, `Input ${i}: sampleRate`);
    if (clip.samples.length === 0) throw new EmptyInputError(`Input ${i} has no samples.`);
    // The log-mel would quietly turn NaN into silence; say so instead.
    for (let k = 0; k < clip.samples.length; k++) {
      if (!Number.isFinite(clip.samples[k])) throw new InvalidArgumentError(`Input ${i} has a non-finite sample (${clip.samples[k]}) at index ${k}.`);
    }
    const seconds = clip.samples.length / clip.sampleRate;
    if (seconds > this.config.maxSeconds) {
      throw new InputTooLargeError(`Input ${i} lasts ${seconds.toFixed(1)} s; this model accepts at most ${this.config.maxSeconds} s (config.maxSeconds).`);
    }
    return clip.sampleRate === this.config.sampleRate ? clip.samples : resample(clip.samples, clip.sampleRate, this.config.sampleRate);
  }

  /**
   * Log-mel spectrogram of a clip with the model's settings (not normalised).
   * @param clip the audio, any rate.
   * @returns `[frames, nMels]` natural-log mel spectrogram at the model's rate.
   * @throws {EmptyInputError} for an empty clip.
   * @throws {InputTooLargeError} for a clip longer than `config.maxSeconds`.
   */
  logMel(clip: AudioClip, index = 0): MelSpectrogram {
    const hit = this.melCache?.get(clip);
    if (hit) return hit;
    const mel = logMelSpectrogram(this.samplesOf(clip, index), this.config.mel);
    this.melCache?.set(clip, mel);
    return mel;
  }

  private requireNormalization(): { mean: number[]; std: number[] } {
    const { melMean, melStd } = this.config;
    if (!melMean || !melStd) {
      throw new InvalidArgumentError('This SpeechAutoencoder has no log-mel statistics yet: call fit() first, or pass `normalization` to create().');
    }
    return { mean: melMean, std: melStd };
  }

  /**
   * Per-band mean and standard deviation of the log-mel over clips (what `fit` stores as the
   * normalisation when none was given).
   * @param clips the clips (or a dataset of them).
   * @returns `{ mean, std }`, one value per mel band.
   * @throws {EmptyInputError} when there are no frames.
   */
  async melStatistics(clips: Dataset<AudioClip> | readonly AudioClip[]): Promise<{ mean: number[]; std: number[] }> {
    const m = this.config.mel.nMels;
    const sum = new Float64Array(m);
    const sq = new Float64Array(m);
    let n = 0;
    const add = (clip: AudioClip, i: number): void => {
      const mel = this.logMel(clip, i);
      for (let t = 0; t < mel.frames; t++) {
        for (let k = 0; k < m; k++) {
          const v = mel.data[t * m + k];
          sum[k] += v;
          sq[k] += v * v;
        }
      }
      n += mel.frames;
    };
    if (Array.isArray(clips)) (clips as readonly AudioClip[]).forEach(add);
    else {
      let i = 0;
      for await (const batch of (clips as Dataset<AudioClip>).batches({ batchSize: 64, shuffle: false, seed: 0, epoch: 0 })) for (const c of batch) add(c, i++);
    }
    if (n === 0) throw new EmptyInputError('melStatistics: no frames in the data.');
    const mean = Array.from(sum, (s) => s / n);
    // The floor keeps always-silent bands (above a narrowband recording's content) from blowing up.
    const std = Array.from(sq, (s, k) => Math.max(Math.sqrt(Math.max(s / n - mean[k] * mean[k], 0)), 0.1));
    return { mean, std };
  }

  /** Normalised log-mels of clips in one batch (random crops with `crop`; see speech-features.ts). */
  private melBatch(clips: readonly AudioClip[], crop?: { frames: number; seed: number }): MelBatch {
    return melBatch(clips.map((c, i) => this.logMel(c, i)), this.requireNormalization(), this.config.activityThreshold, crop);
  }

  /**
   * The frames from the first to the last whose mean log-mel is within
   * `config.activityThreshold` of the loudest frame's: where the speech is. Pooling over this
   * range keeps leading and trailing silence (how a recording was cut, which says more about
   * who made it than about what is said) out of the pooled content vector.
   */
  activeRange(mel: MelSpectrogram): [number, number] {
    return activeRange(mel, this.config.activityThreshold);
  }

  /** Pooling weights of the pooled content vector (see speech-features.ts). */
  private poolWeights(ranges: [number, number][], t: number): tf.Tensor3D {
    return poolWeights(ranges, t, this.config.poolSegments, this.config.centerPooled);
  }

  /** @internal trainer and base-class hook: random crops when `ctx` is given. */
  collate(samples: LabelledClip[], ctx?: StepContext): TensorBatch {
    const { x, mask, active } = this.melBatch(samples, ctx ? { frames: this.config.segmentFrames, seed: ctx.seed } : undefined);
    const batch: TensorBatch = { x, mask, pool: this.poolWeights(active, x.shape[1]) };
    // The centred pooled code leaves out the clip's mean content frame; codeDecorrelation
    // needs it too, or what is said moves into the speaker code through that mean.
    if (ctx && this.config.centerPooled && this.config.codeDecorrelation > 0) batch.meanPool = meanWeights(active, x.shape[1]);
    const ids = samples.map((c) => c.speaker);
    if (ctx && ids.every((id): id is string => typeof id === 'string')) {
      const b = ids.length;
      const names = [...new Set(ids)];
      const same = new Float32Array(b * b);
      // One column per row, not per speaker present (the columns past those are zero): a batch's
      // shape, and so its compiled training step, must not depend on how many speakers it
      // holds. Batches of 32 from tts-speakers' 36 voices held 17-26, each count a shape of its
      // own, and past 4 shapes a fit steps on tfjs: 9-14 of every 27 batches did.
      const groups = new Float32Array(b * b);
      ids.forEach((a, i) => {
        groups[i * b + names.indexOf(a)] = 1;
        ids.forEach((c, j) => (same[i * b + j] = i !== j && a === c ? 1 : 0));
      });
      batch.same = tf.tensor2d(same, [b, b]);
      batch.groups = tf.tensor2d(groups, [b, b]);
    }
    return batch;
  }

  // ---------------------------------------------------------------- networks

  /** @internal content posterior mean and log-variance (speech-losses.ts calls it). */
  contentStats(x: tf.Tensor, mask: tf.Tensor, speaker: tf.Tensor, training: boolean): { mu: tf.Tensor3D; logvar: tf.Tensor3D } {
    const inputs = this.config.conditionContent ? [x, mask, stopGradient(speaker)] : [x, mask];
    const out = this.networks['content-encoder'].apply(inputs, { training }) as tf.Tensor3D;
    const d = this.config.contentDim;
    const [mu, logvar] = tf.split(out, [d, d], 2) as [tf.Tensor3D, tf.Tensor3D];
    // Bounded so exp() cannot overflow early in training.
    return { mu, logvar: tf.clipByValue(logvar, -10, 5) };
  }

  /** @internal the speaker code, projected when the model has fitted nuisance directions. */
  speakerCode(x: tf.Tensor, mask: tf.Tensor, training: boolean): tf.Tensor2D {
    return this.projectSpeakerTensor(this.networks['speaker-encoder'].apply([x, mask], { training }) as tf.Tensor2D);
  }

  /** @internal normalised log-mel from content over time and speaker codes. */
  decodeTensor(content: tf.Tensor, speaker: tf.Tensor, mask: tf.Tensor): tf.Tensor3D {
    return this.networks.decoder.apply([tf.mul(content, mask), speaker, mask]) as tf.Tensor3D;
  }

  /** @internal top-level code `[b, speakerDim + poolSegments * contentDim]`. */
  protected override encodeBatch(batch: TensorBatch, training: boolean): tf.Tensor {
    const s = this.speakerCode(batch.x, batch.mask, training);
    const { mu } = this.contentStats(batch.x, batch.mask, s, training);
    const [b, t] = mu.shape;
    const pool = batch.pool ?? this.poolWeights(new Array<[number, number]>(b).fill([0, t]), t);
    const pooled = this.projectContentTensor(tf.reshape(tf.matMul(pool as tf.Tensor3D, mu), [b, -1]) as tf.Tensor2D);
    return tf.concat([s, pooled], 1);
  }

  /** @internal pooled codes cannot be decoded; use {@link SpeechAutoencoder.decode} with parts. */
  protected override decodeCodes(_codes: tf.Tensor): tf.Tensor {
    throw new InvalidArgumentError('SpeechAutoencoder decodes latents with parts (content over time + speaker), not pooled codes.');
  }

  /** Training objective (see speech-losses.ts and the weights in {@link SpeechAutoencoderOptions}). */
  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    return speechLoss(this, this.config, batch, ctx);
  }

  protected async toOutputs(_decoded: tf.Tensor): Promise<AudioClip[]> {
    throw new InvalidArgumentError('SpeechAutoencoder turns mels into clips with melsToClips().');
  }

  // ---------------------------------------------------------------- public API

  /**
   * Trains the model with core's trainer (random crops of `segmentFrames`, seeded per step).
   * Computes the log-mel normalisation from the training data first if the model has none.
   * Clips that all carry a `speaker` label ({@link LabelledClip}) add weak supervision (see
   * `sameSpeakerSwap`, `sameSpeakerPull` and `contentSpeakerMatch`); the metrics then add
   * `partner`, `spread` and `match`, and with `sameSpeakerSwap: 1` the partner's
   * reconstruction replaces `recon` (and `speakerSwap`) entirely.
   * @param data clips (any rate, optionally labelled) or a dataset of them.
   * @param options see core's FitOptions.
   * @returns per-epoch history with the loss terms as metrics (`recon`, `kl`, ...).
   */
  override async fit(data: Dataset<LabelledClip> | LabelledClip[], options: FitOptions<LabelledClip> = {}): Promise<History> {
    await initEngine();
    this.melCache = new WeakMap();
    try {
      if (!this.config.melMean || !this.config.melStd) {
        const { mean, std } = await this.melStatistics(data);
        this.config.melMean = mean;
        this.config.melStd = std;
      }
      // Codes are fitted raw; the projection is refitted below from what training made of them.
      this.config.nuisanceDirections = null;
      const history = await super.fit(data, options);
      if (Array.isArray(data) && (await this.fitNuisanceProjection(data))) await this.adaptDecoder(data, options);
      return history;
    } finally {
      this.melCache = undefined;
    }
  }

  /** Speaker codes without their components along the fitted nuisance directions (unchanged without any). */
  private projectSpeakerTensor(s: tf.Tensor2D): tf.Tensor2D {
    const dirs = this.config.nuisanceDirections;
    return dirs ? projectAround(s, dirs.speaker, dirs.speakerMean) : s;
  }

  /** Pooled content codes without their components along the fitted nuisance directions. */
  private projectContentTensor(pooled: tf.Tensor2D): tf.Tensor2D {
    const dirs = this.config.nuisanceDirections;
    return dirs ? projectAround(pooled, dirs.content, dirs.contentMean) : pooled;
  }

  /** Trains the decoder alone on projected speaker codes (see `nuisanceProjection.decoderEpochs`). */
  private async adaptDecoder(data: LabelledClip[], options: FitOptions<LabelledClip>): Promise<void> {
    const epochs = this.config.nuisanceProjection.decoderEpochs;
    if (epochs === 0 || (this.config.nuisanceDirections?.speaker.length ?? 0) === 0) return;
    const summary = this.training;
    const frozen = [this.networks['speaker-encoder'], this.networks['content-encoder']];
    for (const n of frozen) n.trainable = false;
    try {
      const { checkpoint: _c, resume: _r, ...rest } = options;
      const h = await super.fit(data, { ...rest, epochs, learningRateSchedule: 'constant' });
      this.training = summary && { ...summary, decoderEpochs: h.epochs.length, decoderFinalLoss: h.loss.at(-1) ?? NaN };
    } finally {
      for (const n of frozen) n.trainable = true;
    }
  }

  /**
   * Fits {@link SpeechAutoencoderOptions.nuisanceProjection} on labelled training clips (none
   * without labels). @returns whether a projection was fitted.
   */
  private async fitNuisanceProjection(clips: readonly LabelledClip[]): Promise<boolean> {
    const counts = this.config.nuisanceProjection;
    const labelled = clips.filter((c) => typeof c.speaker === 'string');
    if ((counts.speaker === 0 && counts.content === 0) || new Set(labelled.map((c) => c.speaker!)).size < 2) return false;
    const codes = await this.encode(labelled);
    const labels = labelled.map((c) => c.speaker!);
    const speaker = counts.chooseSpeaker ? chooseSpeakerDirections(codes, labels, counts.speaker) : counts.speaker;
    this.config.nuisanceDirections = fitNuisanceDirections(codes, labels, { ...counts, speaker });
    return true;
  }

  /** Batches of clip indices within the frame budget (see speech-features.ts). */
  private batchesOf(clips: readonly AudioClip[], batchSize: number): number[][] {
    return batchesOf(clips, batchSize, this.config.sampleRate, this.config.mel.hop);
  }

  /**
   * Encodes clips into latents with `speaker`, `content` and `contentPooled` parts (see the
   * class docs for shapes; top-level `data` is `concat(speaker, contentPooled)`).
   * @param clips the audio, any rate.
   * @param options `batchSize` (default 32); `onProgress` and `signal` as in core's encode.
   * @returns one latent per clip.
   * @throws {EmptyInputError} for an empty clip.
   * @throws {InputTooLargeError} for a clip longer than `config.maxSeconds`.
   * @throws {InvalidArgumentError} when the model has no normalisation yet (not trained).
   */
  override async encode(clips: AudioClip[], options: BatchingOptions = {}): Promise<Latent[]> {
    await initEngine();
    const out: Latent[] = new Array(clips.length);
    const { kind } = this.config;
    const ds = this.config.speakerDim;
    const dc = this.config.contentDim;
    const k = this.config.poolSegments;
    const batches = this.batchesOf(clips, options.batchSize ?? 32);
    const progress = new BatchProgress('Encoding', clips.length, batches.length, options);
    for (const idx of batches) {
      const chunk = idx.map((i) => clips[i]);
      const batch = this.melBatchIndexed(chunk, idx);
      const [sT, muT, pooledT] = tf.tidy(() => {
        const s = this.speakerCode(batch.x, batch.mask, false);
        const { mu } = this.contentStats(batch.x, batch.mask, s, false);
        const pooled = this.projectContentTensor(tf.reshape(tf.matMul(batch.pool, mu), [mu.shape[0], -1]) as tf.Tensor2D);
        return [s, mu, pooled];
      });
      const t = batch.x.shape[1];
      tf.dispose([batch.x, batch.mask, batch.pool]);
      const [s, mu, pooled] = (await Promise.all([sT.data(), muT.data(), pooledT.data()])) as Float32Array[];
      tf.dispose([sT, muT, pooledT]);
      idx.forEach((clipIndex, j) => {
        const len = batch.lengths[j];
        const speaker = makeLatent(s.slice(j * ds, (j + 1) * ds), [ds], 'audio', kind);
        const content = makeLatent(mu.slice(j * t * dc, (j * t + len) * dc), [len, dc], 'audio', kind);
        const contentPooled = makeLatent(pooled.slice(j * k * dc, (j + 1) * k * dc), [k * dc], 'audio', kind);
        const data = new Float32Array(ds + k * dc);
        data.set(speaker.data, 0);
        data.set(contentPooled.data, ds);
        out[clipIndex] = makeLatent(data, [ds + k * dc], 'audio', kind, { speaker, content, contentPooled });
      });
      progress.done(idx.length);
    }
    progress.end();
    return out;
  }

  /** melBatch with error messages naming the caller's indices. */
  private melBatchIndexed(chunk: AudioClip[], idx: number[]): MelBatch & { pool: tf.Tensor3D } {
    idx.forEach((i, j) => this.logMel(chunk[j], i)); // validates with the caller's index
    const b = this.melBatch(chunk);
    return { ...b, pool: this.poolWeights(b.active, b.x.shape[1]) };
  }

  /** Log-mels from content codes over time and speaker codes (see speech-features.ts). */
  private decodeParts(contents: Latent[], speakers: Latent[]): Promise<MelSpectrogram[]> {
    const { contentDim, speakerDim } = this.config;
    return decodeMels((z, s, mask) => this.decodeTensor(z, s, mask), { contentDim, speakerDim }, this.requireNormalization(), contents, speakers);
  }

  /**
   * Log-mel spectrograms (natural log, the model's mel settings) decoded from latents that
   * carry `content` and `speaker` parts, e.g. from {@link SpeechAutoencoder.encode}.
   * @param codes latents with parts; mix parts of different clips to convert voices.
   * @returns one `[frames, nMels]` log-mel per latent.
   * @throws {InvalidArgumentError} when a latent lacks the `content` or `speaker` part.
   * @throws {ShapeMismatchError} when a part has the wrong shape.
   */
  async decodeMel(codes: Latent[]): Promise<MelSpectrogram[]> {
    await initEngine();
    const contents = codes.map((c, i) => {
      const p = c.parts?.content;
      if (!p) throw new InvalidArgumentError(`Latent ${i} has no 'content' part; decode latents returned by SpeechAutoencoder.encode.`);
      return p;
    });
    const speakers = codes.map((c, i) => {
      const p = c.parts?.speaker;
      if (!p) throw new InvalidArgumentError(`Latent ${i} has no 'speaker' part; decode latents returned by SpeechAutoencoder.encode.`);
      return p;
    });
    return this.decodeParts(contents, speakers);
  }

  /**
   * Turns log-mels of this model into audio with Griffin-Lim.
   * @param mels `[frames, nMels]` log-mels with the model's settings.
   * @returns clips at `config.sampleRate`, `frames * hop` samples long.
   */
  melsToClips(mels: MelSpectrogram[]): AudioClip[] {
    return mels.map((mel, i) => {
      const samples = melToAudio(mel, {
        ...this.config.mel,
        iterations: this.config.griffinLimIterations,
        seed: i,
        length: mel.frames * this.config.mel.hop,
      });
      return { samples, sampleRate: this.config.sampleRate };
    });
  }

  /**
   * Decodes latents with `content` and `speaker` parts into audio (log-mel, then Griffin-Lim).
   * @param codes latents from {@link SpeechAutoencoder.encode} (parts may be mixed).
   * @returns clips at `config.sampleRate`.
   * @throws {InvalidArgumentError} when a latent lacks a part.
   */
  override async decode(codes: Latent[]): Promise<AudioClip[]> {
    return this.melsToClips(await this.decodeMel(codes));
  }

  /**
   * Encodes and decodes clips, returning the reconstructed log-mels.
   * @param clips the audio.
   * @returns one log-mel per clip, as long as the clip's own.
   */
  async reconstructMel(clips: AudioClip[]): Promise<MelSpectrogram[]> {
    return this.decodeMel(await this.encode(clips));
  }

  /**
   * Encodes and decodes clips into audio.
   * @param clips the audio.
   * @returns reconstructed clips at `config.sampleRate`.
   */
  override async reconstruct(clips: AudioClip[]): Promise<AudioClip[]> {
    const out = this.melsToClips(await this.reconstructMel(clips));
    return out.map((clip, i) => this.trimTo(clip, clips[i]));
  }

  /** `clip` cut to `like`'s duration at the model's rate (frames * hop overshoots by < 1 hop). */
  private trimTo(clip: AudioClip, like: AudioClip): AudioClip {
    const want = Math.round((like.samples.length * this.config.sampleRate) / like.sampleRate);
    return { samples: clip.samples.slice(0, Math.min(want, clip.samples.length)), sampleRate: clip.sampleRate };
  }

  /**
   * Mean absolute error between the normalised log-mel of each clip and its reconstruction
   * (the training loss's reconstruction term, without cropping).
   * @param clips the audio.
   * @returns the mean over all frames and bands of all clips.
   */
  async reconstructionL1(clips: AudioClip[]): Promise<number> {
    await initEngine();
    let sum = 0;
    let n = 0;
    for (const idx of this.batchesOf(clips, 32)) {
      const batch = this.melBatchIndexed(idx.map((i) => clips[i]), idx);
      const t = tf.tidy(() => {
        const s = this.speakerCode(batch.x, batch.mask, false);
        const { mu } = this.contentStats(batch.x, batch.mask, s, false);
        const y = this.decodeTensor(mu, s, batch.mask);
        return tf.sum(tf.mul(tf.abs(tf.sub(y, batch.x)), batch.mask));
      });
      sum += (await t.data())[0];
      n += batch.lengths.reduce((a, b) => a + b, 0) * this.config.mel.nMels;
      tf.dispose([t, batch.x, batch.mask, batch.pool]);
    }
    return n > 0 ? sum / n : NaN;
  }

  /**
   * Voice conversion: says what `source` says in the voice of `targetSpeaker`
   * (decoder(content of source, speaker code of target), then Griffin-Lim).
   * @param source the speech whose content to keep.
   * @param targetSpeaker any speech of the wanted voice, or its latent.
   * @returns a clip at `config.sampleRate`, about as long as the source.
   * @throws {EmptyInputError} for empty clips.
   * @example
   * ```ts
   * const converted = await model.convert(aliceSaysSeven, bobSaysAnything);
   * ```
   */
  async convert(source: AudioClip, targetSpeaker: ClipOrLatent): Promise<AudioClip> {
    const [src] = await this.encode([source]);
    const speaker = await this.speakerLatent(targetSpeaker, 1);
    const [mel] = await this.decodeParts([src.parts!.content], [speaker]);
    const [clip] = this.melsToClips([mel]);
    return this.trimTo(clip, source);
  }

  private speakerLatent(x: ClipOrLatent, index: number): Promise<Latent> {
    return speakerCodeOf(x, this.config.speakerDim, (clips) => this.encode(clips), index);
  }

  /**
   * Cosine similarity of two speaker codes (1 = same direction).
   * @param a a clip, a latent from {@link SpeechAutoencoder.encode}, or a speaker-code latent.
   * @param b likewise.
   * @returns the cosine in [-1, 1].
   * @throws {ShapeMismatchError} for a latent without a speaker code of this model's size.
   * @example
   * ```ts
   * const sim = await model.speakerSimilarity(clipA, clipB);
   * ```
   */
  async speakerSimilarity(a: ClipOrLatent, b: ClipOrLatent): Promise<number> {
    const [sa, sb] = [await this.speakerLatent(a, 0), await this.speakerLatent(b, 1)];
    return cosine(sa.data, sb.data);
  }
}
