/**
 * @file What a model hands to core's training loop, as types only: kept apart from trainer.ts
 * (which reads and writes checkpoints on disk) so the model base class, which implements
 * them, compiles and bundles for the browser.
 */
import type * as tf from '@tensorflow/tfjs';

/** Tensors of one batch, keyed by name (`x`, `target`, `mask`, ...). */
export type TensorBatch = Record<string, tf.Tensor>;

/** Per-step facts a loss may need: seeded randomness that repeats after a resume. */
export interface StepContext {
  training: boolean;
  /** A seed unique to (fit seed, epoch, batch): use it for noise, dropout masks, sampling. */
  seed: number;
  epoch: number;
  batch: number;
}

/** A loss and optional named scalar metrics, all created inside the loss call. */
export interface LossOutput {
  loss: tf.Scalar;
  metrics?: Record<string, tf.Scalar>;
}

/** What a model hands to `train` (training/trainer.ts). */
export interface TrainingProblem<S> {
  /** Variables to optimise, in a stable order (optimizer state is restored by position). */
  variables(): tf.Variable[];
  /** Samples -> tensors. Called outside of gradient recording; the trainer disposes the result. */
  collate(samples: S[], ctx: StepContext): TensorBatch;
  /** The objective; called inside `tf.tidy`/`variableGrads`. */
  loss(batch: TensorBatch, ctx: StepContext): LossOutput;
  /** Writes a full checkpoint (model folder with `extraFiles` alongside). */
  saveCheckpoint(dir: string, extraFiles: Record<string, Uint8Array | string>): Promise<void>;
  /** Loads weights from a checkpoint folder written by `saveCheckpoint`; returns its extra files. */
  loadCheckpoint(dir: string): Promise<(name: string) => Uint8Array | undefined>;
}

