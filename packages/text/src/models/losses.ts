/**
 * @file The sentence autoencoder's training loss: cross-entropy of every position (end padding
 * included), the auxiliary context-head loss, and a symmetric in-batch InfoNCE on the global part
 * for sentence pairs.
 */
import { tf, type LossOutput, type TensorBatch } from '@latentkit/core';
import type { SentenceAutoencoderConfig } from './config.js';

/**
 * The loss of one batch from its code `z`, the decoder's logits and (when the model has the
 * head) the context head's logits on the same input.
 * @param config the model's config.
 * @param batch `target` clean ids, `x` input ids, optional `pairA`/`pairB` rows of pairs.
 * @param z codes `[n, latentDim]`.
 * @param logits decoder output `[n, maxLength, vocabulary]`.
 * @param guess context-head logits `[n, maxLength, vocabulary]`, or undefined.
 * @returns the loss and the metrics `recon`, `exact`, `hole`, `contrast`.
 */
export function sentenceLoss(config: SentenceAutoencoderConfig, batch: TensorBatch, z: tf.Tensor, logits: tf.Tensor, guess: tf.Tensor | undefined): LossOutput {
  const V = config.vocabularySize;
  const target = batch.target as tf.Tensor2D;
  const flatLogits = tf.reshape(logits, [-1, V]);
  const onehot = tf.oneHot(tf.reshape(target, [-1]), V);
  const recon = tf.losses.softmaxCrossEntropy(onehot, flatLogits) as tf.Scalar;
  const correct = tf.cast(tf.equal(tf.argMax(logits, -1), target), 'float32');
  const exact = tf.mean(tf.min(correct, 1)) as tf.Scalar;
  const metrics: Record<string, tf.Scalar> = { recon, exact };
  // A separate tensor: the trainer disposes the loss before it reads the metrics.
  let loss: tf.Scalar = tf.clone(recon);
  if (guess) {
    const text = tf.cast(tf.notEqual(tf.reshape(target, [-1]), 0), 'float32');
    const hole = tf.losses.softmaxCrossEntropy(onehot, tf.reshape(guess, [-1, V]), text) as tf.Scalar;
    metrics.hole = hole;
    loss = tf.add(loss, tf.mul(hole, config.holeWeight)) as tf.Scalar;
  }
  if (batch.pairA && batch.pairB && config.contrastiveWeight > 0) {
    // On the global part only: the local part must keep exact spelling, which a pull towards a
    // differently worded sentence would blur.
    const g = config.globalDim > 0 ? tf.slice(z, [0, 0], [-1, config.globalDim]) : z;
    const unit = tf.div(g, tf.maximum(tf.norm(g, 'euclidean', -1, true), 1e-6));
    const a = tf.gather(unit, batch.pairA);
    const b = tf.gather(unit, batch.pairB);
    const sims = tf.div(tf.matMul(a, b, false, true), config.temperature);
    const labels = tf.oneHot(tf.range(0, a.shape[0], 1, 'int32'), a.shape[0]);
    // Symmetric InfoNCE: each gloss must pick its example among the batch's, and back.
    const contrast = tf.mul(tf.add(tf.losses.softmaxCrossEntropy(labels, sims), tf.losses.softmaxCrossEntropy(labels, tf.transpose(sims))), 0.5) as tf.Scalar;
    metrics.contrast = contrast;
    loss = tf.add(loss, tf.mul(contrast, config.contrastiveWeight)) as tf.Scalar;
  }
  return { loss, metrics };
}
