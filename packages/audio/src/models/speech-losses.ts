/**
 * @file The speech autoencoder's training objective: reconstruction (own, borrowed or a
 * same-speaker partner's speaker code), the KL term of the content posterior, and the terms
 * that separate who speaks from what is said (speaker pull, content-speaker match, code
 * decorrelation, same-speaker pull). See SpeechAutoencoderOptions for each weight.
 */
import { InvalidArgumentError, tf, type LossOutput, type StepContext, type TensorBatch } from '@latentkit/core';
import type { SpeechAutoencoderConfig } from './speech-config.js';

/** Columns shifted and scaled to zero mean and unit variance over the batch. */
export function standardiseColumns(m: tf.Tensor2D): tf.Tensor2D {
  const { mean, variance } = tf.moments(m, 0, true);
  return tf.div(tf.sub(m, mean), tf.sqrt(tf.add(variance, 1e-4))) as tf.Tensor2D;
}

/**
 * How far apart the speakers' contents sit: the mean square of the per-speaker means of the
 * standardised pooled content code (the batch mean is 0), over the speakers present. `groups`
 * is the batch's one-hot speaker matrix `[b, g]`; columns of no row (collate pads to a fixed
 * width) count neither in the means nor in the average. 0 with fewer than two speakers.
 */
export function contentSpeakerMatchTerm(pooled: tf.Tensor2D, groups: tf.Tensor2D): tf.Scalar {
  const counts = tf.sum(groups, 0);
  const present = tf.sum(tf.cast(tf.greater(counts, 0), 'float32'));
  const means = tf.div(tf.matMul(groups, standardiseColumns(pooled), true, false), tf.expandDims(tf.maximum(counts, 1), 1));
  const average = tf.div(tf.sum(tf.square(means)), tf.mul(present, pooled.shape[1]));
  return tf.mul(average, tf.cast(tf.greater(present, 1), 'float32')) as tf.Scalar;
}

/** Identity forward, no gradient backward (tfjs has no stop_gradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;

/** The networks as the loss sees them (the model's own forward passes). */
export interface SpeechForward {
  /** Speaker codes `[b, speakerDim]`. */
  speakerCode(x: tf.Tensor, mask: tf.Tensor, training: boolean): tf.Tensor2D;
  /** Content posterior mean and log-variance `[b, t, contentDim]`. */
  contentStats(x: tf.Tensor, mask: tf.Tensor, speaker: tf.Tensor, training: boolean): { mu: tf.Tensor3D; logvar: tf.Tensor3D };
  /** Normalised log-mel predicted from content over time and speaker codes. */
  decodeTensor(content: tf.Tensor, speaker: tf.Tensor, mask: tf.Tensor): tf.Tensor3D;
}

/**
 * Training objective: L1 between the normalised log-mel and its reconstruction (over valid
 * frames) + `beta` times the KL divergence of the content posterior from N(0, I), plus the
 * separation terms whose weights the config sets.
 * @param fw the model's forward passes.
 * @param c the model's config.
 * @param batch from the model's `collate` (with `same`/`groups` when every clip is labelled).
 * @param ctx the trainer's step.
 */
export function speechLoss(fw: SpeechForward, c: SpeechAutoencoderConfig, batch: TensorBatch, ctx: StepContext): LossOutput {
  const { x, mask } = batch;
  const s = fw.speakerCode(x, mask, ctx.training);
  const { mu, logvar } = fw.contentStats(x, mask, s, ctx.training);
  const z = ctx.training ? tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.randomNormal(mu.shape, 0, 1, 'float32', ctx.seed))) : mu;
  const frames = tf.maximum(tf.sum(mask), 1);
  const l1 = (y: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.mul(tf.abs(tf.sub(y, x)), mask)), tf.mul(frames, c.mel.nMels)) as tf.Scalar;
  const w = s.shape[0] > 1 ? c.speakerSwap : 0;
  const same = batch.same as tf.Tensor2D | undefined;
  const wl = same ? c.sameSpeakerSwap : 0;
  const metrics: Record<string, tf.Scalar> = {};
  let recon: tf.Scalar | undefined;
  if (wl < 1) {
    if (w < 1) {
      recon = l1(fw.decodeTensor(z, s, mask));
      metrics.recon = recon;
    }
    if (w > 0) {
      const swapped = l1(fw.decodeTensor(z, borrowedSpeakers(s, c.swapTemperature), mask));
      recon = recon ? (tf.add(tf.mul(recon, 1 - w), tf.mul(swapped, w)) as tf.Scalar) : swapped;
      metrics.swapped = swapped;
    }
  }
  if (same && wl > 0) {
    const partner = l1(fw.decodeTensor(z, sameSpeakerCodes(s, same), mask));
    recon = recon ? (tf.add(tf.mul(recon, 1 - wl), tf.mul(partner, wl)) as tf.Scalar) : partner;
    metrics.partner = partner;
  }
  if (!recon) throw new InvalidArgumentError('unreachable: no reconstruction term');
  const b = s.shape[0];
  const klTerms = tf.mul(tf.sub(tf.add(tf.exp(logvar), tf.square(mu)), tf.add(logvar, 1)), 0.5);
  const kl = tf.div(tf.sum(tf.mul(klTerms, mask)), tf.mul(frames, c.contentDim)) as tf.Scalar;
  let loss = tf.add(recon, tf.mul(kl, c.beta)) as tf.Scalar;
  const pooled = tf.reshape(tf.matMul(batch.pool as tf.Tensor3D, mu), [b, -1]) as tf.Tensor2D;
  if (c.speakerPull > 0 && b > 2) {
    const pull = speakerPullTerm(s, pooled, c.swapTemperature);
    loss = tf.add(loss, tf.mul(pull, c.speakerPull)) as tf.Scalar;
    metrics.pull = pull;
  }
  const groups = batch.groups as tf.Tensor2D | undefined;
  if (groups && c.contentSpeakerMatch > 0 && b > 2) {
    const match = contentSpeakerMatchTerm(pooled, groups);
    loss = tf.add(loss, tf.mul(match, c.contentSpeakerMatch)) as tf.Scalar;
    metrics.match = match;
  }
  if (c.codeDecorrelation > 0 && b > 2) {
    const meanPool = batch.meanPool as tf.Tensor3D | undefined;
    const content = meanPool ? tf.concat([pooled, tf.reshape(tf.matMul(meanPool, mu), [b, -1])], 1) : pooled;
    const cross = tf.div(tf.matMul(standardiseColumns(s), standardiseColumns(content as tf.Tensor2D), true, false), b);
    const decor = tf.mean(tf.square(cross)) as tf.Scalar;
    loss = tf.add(loss, tf.mul(decor, c.codeDecorrelation)) as tf.Scalar;
    metrics.decor = decor;
  }
  if (same && c.sameSpeakerPull > 0 && b > 2) {
    const zs = standardiseColumns(s);
    const pull = tf.mean(tf.square(tf.sub(zs, stopGradient(sameSpeakerCodes(zs, same))))) as tf.Scalar;
    loss = tf.add(loss, tf.mul(pull, c.sameSpeakerPull)) as tf.Scalar;
    metrics.spread = pull;
  }
  return { loss, metrics: { kl, ...metrics } };
}

/**
 * Cross-neighbour pull on the speaker code (self-supervised, no labels): within the batch,
 * each speaker code is pulled towards the codes of clips whose speaker codes are similar
 * but whose pooled content codes are not, most likely the same voice saying something else.
 * What a speaker code shares only with clips that say the same thing is what the pull
 * removes. Codes are batch-standardised (the pull cannot win by shrinking them) and the
 * neighbour weights are constants of the step.
 */
function speakerPullTerm(s: tf.Tensor2D, pooled: tf.Tensor2D, temperature: number): tf.Scalar {
  const b = s.shape[0];
  const zs = standardiseColumns(s);
  const cos = (z: tf.Tensor2D): tf.Tensor2D => {
    const u = tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-6));
    return tf.matMul(u, u, false, true);
  };
  const affinity = stopGradient(tf.div(tf.sub(cos(zs), cos(standardiseColumns(pooled))), temperature));
  const weights = tf.softmax(tf.sub(affinity, tf.mul(tf.eye(b), 1e4))) as tf.Tensor2D;
  return tf.mean(tf.square(tf.sub(zs, tf.matMul(weights, zs)))) as tf.Scalar;
}

/** Each row's mean of the speaker codes of the other clips by its speaker; its own code where there is none. */
function sameSpeakerCodes(s: tf.Tensor2D, same: tf.Tensor2D): tf.Tensor2D {
  const alone = tf.sub(1, tf.minimum(tf.sum(same, 1), 1));
  const w = tf.add(same, tf.mul(tf.eye(same.shape[0]), tf.expandDims(alone, 1)));
  return tf.matMul(tf.div(w, tf.sum(w, 1, true)), s);
}

/** Each row's similarity-weighted mean of the other rows' speaker codes (see `speakerSwap`). */
function borrowedSpeakers(s: tf.Tensor2D, temperature: number): tf.Tensor2D {
  const b = s.shape[0];
  const unit = tf.div(s, tf.add(tf.norm(s, 'euclidean', 1, true), 1e-6));
  const sim = tf.div(tf.matMul(unit, unit, false, true), temperature);
  const weights = tf.softmax(tf.sub(sim, tf.mul(tf.eye(b), 1e4)));
  return tf.matMul(weights, s);
}
