/**
 * @file One training step, behind an interface so the trainer's loop does not care which
 * engine takes it: tfjs autodiff + a tfjs optimizer (here), or a compiled ONNX step on
 * onnxruntime-node (ort/step.ts), which falls back to this one for what it cannot compile.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepContext, TensorBatch, TrainingProblem } from './problem.js';
import { flushOptimizerSlots, TFJS_FLUSH_EVERY } from './slot-flush.js';

/** Loss and metrics of one step, read back to JS. */
export interface StepResult {
  loss: number;
  metrics: Record<string, number>;
}

/** One step's batch, context, and learning rate (undefined: the optimizer's own, no schedule). */
export interface StepItem {
  batch: TensorBatch;
  ctx: StepContext;
  rate?: number | undefined;
}

/** Which engine trains: compiled ONNX graphs on onnxruntime-node, or tfjs. */
export type TrainingEngine = 'onnxruntime' | 'tfjs';

/** Takes training steps; the trainer owns batching, schedules, checkpoints and the rest. */
export interface StepRunner {
  /** The engine now taking steps (an ORT runner may switch to tfjs). */
  readonly engine: TrainingEngine;
  /** Why the engine is tfjs although ORT was preferred (one line), if it is. */
  readonly fallbackReason: string | undefined;
  /**
   * While the engine is onnxruntime: the share of the current epoch's batches that stepped on
   * tfjs and why (one line), or undefined when every batch ran compiled.
   */
  note?(): string | undefined;
  /** While the engine is onnxruntime: how its steps use the cores, in words. */
  cores?(): string | undefined;
  /** One optimisation step on `batch` (which the caller disposes). */
  step(batch: TensorBatch, ctx: StepContext): Promise<StepResult>;
  /**
   * How many batches the runner would take in its next {@link steps} call (default 1): the ORT
   * runner takes several steps in one run where that pays (ort/multi-step.ts).
   */
  group?(): number;
  /**
   * The steps of `items`, in order, each at its own rate (which this sets on the optimizer
   * where a step reads it there). Without it the trainer calls {@link step} per item.
   */
  steps?(items: StepItem[]): Promise<StepResult[]>;
  /**
   * Makes the tfjs variables and the tfjs optimizer reflect every step taken so far (before
   * validation, snapshots, checkpoints, and at the end or on abort). Cheap when nothing changed.
   */
  sync(): Promise<void>;
  dispose(): void;
}

/**
 * Sets the rate of the next step. tfjs optimizers read their `learningRate` field at each
 * step; SGD and momentum cache it as a scalar, refreshed by their `setLearningRate`.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The steps of `items` one by one (runners without their own {@link StepRunner.steps}). */
export async function stepEach(runner: StepRunner, optimizer: tf.Optimizer, items: StepItem[]): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const { batch, ctx, rate } of items) {
    if (rate !== undefined) setLearningRate(optimizer, rate);
    out.push(await runner.step(batch, ctx));
  }
  return out;
}

/** Global-norm clipping as `fit` has always done it on tfjs. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}

/** The tfjs path: `tf.variableGrads` through the model's loss, then the tfjs optimizer. */
export class TfjsStepRunner implements StepRunner {
  readonly engine = 'tfjs' as const;
  /** Steps taken (slots are flushed every TFJS_FLUSH_EVERY, slot-flush.ts). */
  private taken = 0;

  constructor(
    private readonly problem: TrainingProblem<unknown>,
    private readonly vars: tf.Variable[],
    private readonly optimizer: tf.Optimizer,
    private readonly clipNorm: number | undefined,
    readonly fallbackReason: string | undefined = undefined,
  ) {}

  async step(batch: TensorBatch, ctx: StepContext): Promise<StepResult> {
    let metrics: Record<string, tf.Scalar> | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = this.problem.loss(batch, ctx);
      metrics = out.metrics;
      if (metrics) for (const m of Object.values(metrics)) tf.keep(m);
      return out.loss;
    }, this.vars);
    const applied = this.clipNorm ? clipByGlobalNorm(grads, this.clipNorm) : grads;
    this.optimizer.applyGradients(applied);
    if (applied !== grads) tf.dispose(applied);
    tf.dispose(grads);
    if (++this.taken % TFJS_FLUSH_EVERY === 0) await flushOptimizerSlots(this.optimizer);
    const loss = (await value.data())[0];
    value.dispose();
    const values: Record<string, number> = {};
    if (metrics) {
      for (const [k, m] of Object.entries(metrics)) values[k] = (await m.data())[0];
      tf.dispose(Object.values(metrics));
    }
    return { loss, metrics: values };
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}
