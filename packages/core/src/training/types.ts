/**
 * @file Options, events and results of core's single training loop.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from './dataset.js';

/** Optimizers `fit` can build by name. */
export type OptimizerName = 'adam' | 'adamax' | 'rmsprop' | 'sgd' | 'momentum';

/** Where training is when a {@link LearningRateSchedule} is asked for the next step's rate. */
export interface ScheduleStep {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step over the whole run (epoch x batches per epoch + batch). */
  step: number;
  /** Steps in the whole run; undefined for a stream of unknown size. */
  totalSteps: number | undefined;
  /** Fraction of the run done, in [0, 1) (by epochs when the stream size is unknown). */
  progress: number;
  /** The `learningRate` option. */
  baseLearningRate: number;
}

/** Returns the learning rate of the next step. */
export type LearningRateSchedule = (at: ScheduleStep) => number;

/**
 * What the training loop reports while it runs; a CLI renders these as a progress bar. A
 * model's `encode`/`decode`/`reconstruct` emit the same events for one pass over its inputs
 * (one "epoch"; `loss` is NaN there, inference computes none).
 */
export type ProgressEvent =
  | { type: 'start'; epochs: number; batchesPerEpoch: number | undefined; startEpoch: number }
  | {
      type: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      /** Undefined when the data source does not know its length. */
      batches: number | undefined;
      /** The batch's loss; NaN in inference (`encode` and friends). */
      loss: number;
      samplesPerSecond: number;
      /** Seconds left in the whole run; undefined until it can be estimated. */
      etaSeconds: number | undefined;
    }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      loss: number;
      valLoss: number | undefined;
      /** Extra per-epoch metrics the model reports (e.g. `kl`, `recon`). */
      metrics: Record<string, number>;
      samplesPerSecond: number;
      seconds: number;
      etaSeconds: number;
      numTensors: number;
    }
  | {
      /**
       * Which engine takes the training steps, sent before the first step and again if it
       * changes (a model the ONNX compiler cannot lower moves to tfjs, with the reason).
       */
      type: 'engine';
      engine: 'onnxruntime' | 'tfjs';
      /** One line: why training is on tfjs although onnxruntime was preferred. */
      reason?: string;
      /**
       * On onnxruntime: which share of an epoch's batches steps on tfjs and why, e.g. `1 of 43
       * batches per epoch on tfjs (shape ...: ...)`; sent after the first epoch that has some.
       */
      note?: string;
      /**
       * On onnxruntime: how the steps use the cores (see `threads` and `History.engineCores`),
       * sent after an epoch when it changed, e.g. once `'auto'` has timed its choices.
       */
      cores?: string;
    }
  | { type: 'checkpoint'; epoch: number; dir: string }
  | { type: 'early-stop'; epoch: number; bestEpoch: number; bestLoss: number }
  | { type: 'end'; epochs: number; seconds: number };

/** Early stopping on the validation loss (or training loss when there is no validation). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. @default 5 */
  patience?: number;
  /** Smallest decrease that counts as improvement. @default 0 */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping. @default true */
  restoreBest?: boolean;
}

/** Per-epoch checkpoints in a folder; `fit` resumes from them when `resume` is set. */
export interface CheckpointOptions {
  /** Folder that holds `latest/` (model + trainer state). */
  dir: string;
  /** Save every this many epochs. @default 1 */
  every?: number;
}

/** Options of `fit`. Everything has a default; see each field. */
export interface FitOptions<S = unknown> {
  /** @default 10 */
  epochs?: number;
  /** @default 64 */
  batchSize?: number;
  /** Shuffle in-memory data each epoch. @default true */
  shuffle?: boolean;
  /** Seeds shuffling and any randomness the model uses per step (noise, sampling). @default 42 */
  seed?: number;
  /** Held-out samples to compute `valLoss` each epoch. */
  validationData?: Dataset<S> | S[];
  /** Fraction of in-memory data held out for validation (ignored with `validationData`). @default 0 */
  validationSplit?: number;
  /** @default 1e-3 */
  learningRate?: number;
  /**
   * How the learning rate moves over the run: `'constant'`; `'cosine'`, half a cosine from
   * `learningRate` down towards 0 at the last step (by epoch for a stream of unknown size); or a
   * function of the step. A schedule also drives an optimizer passed in `optimizer`, starting
   * from `learningRate`, not from the optimizer's own rate. Cosine suits runs long enough to
   * converge; on a short run it stops learning early (4 epochs of a conv AE on MNIST: higher loss).
   * @default 'constant'
   */
  learningRateSchedule?: 'constant' | 'cosine' | LearningRateSchedule;
  /** @default 'adam' */
  optimizer?: OptimizerName | tf.Optimizer;
  /** Clip each gradient to this global L2 norm. */
  clipNorm?: number;
  earlyStopping?: EarlyStoppingOptions | boolean;
  checkpoint?: CheckpointOptions;
  /** Continue from `checkpoint.dir/latest` if it exists. @default false */
  resume?: boolean;
  /** Stop after this many batches per epoch (benchmarks, smoke runs). */
  maxBatchesPerEpoch?: number;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * How the onnxruntime engine uses the cores: a count of intra-op threads (sleeping between
   * ops); `'spin'`, 2 intra-op threads that spin-wait between ops instead (faster where a core
   * is free, on the benchmarks' machine; slower on a busy one, where they take the core from
   * others, and in long fits below what short ones time); `'split'`, two threads each computing
   * the gradients of half of every batch (for losses that are a mean over the batch's rows, which
   * the first split step checks; others run on 1 thread); or `'auto'`, which times 1 thread against
   * split halves during training (again every 2 minutes; not in fits under 400 steps or 5 s) and
   * keeps split halves only when they are at least 15% faster; where a batch cannot be split it
   * is 1 thread (2 intra-op threads ran below what probes timed them in long fits). Ignored by tfjs. @default 'auto'
   */
  threads?: number | 'split' | 'spin' | 'auto';
  /** Minimum milliseconds between `batch` events. @default 100 */
  progressIntervalMs?: number;
  /** Abort: `fit` throws {@link AbortError} before the next batch. */
  signal?: AbortSignal;
  /**
   * Time budget in milliseconds: once spent, training stops before the next batch and `fit`
   * returns normally with the weights trained so far (`history.stoppedByTimeLimit`). The
   * history lists completed epochs only. @default no limit
   */
  timeLimitMs?: number;
}

/** The result of `fit`: one entry per completed epoch. */
export interface History {
  epochs: number[];
  loss: number[];
  valLoss: (number | undefined)[];
  metrics: Record<string, number>[];
  /** Epoch (1-based) with the best monitored loss. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** True when {@link FitOptions.timeLimitMs} ended training before its planned epochs. */
  stoppedByTimeLimit?: boolean;
  seconds: number;
  samplesPerSecond: number;
  /** The engine that took the last step. */
  engine: 'onnxruntime' | 'tfjs';
  /** Why training ran on tfjs although onnxruntime was preferred, if it did. */
  engineReason?: string;
  /** On onnxruntime: the share of the last epoch's batches that stepped on tfjs, and why. */
  engineNote?: string;
  /**
   * On onnxruntime: how the steps used the cores at the end, e.g. `1 thread (auto; median ms per
   * step: 1 thread 4.10, split halves on 2 threads 4.38, 2 threads 5.02)` (see `threads`).
   */
  engineCores?: string;
}
