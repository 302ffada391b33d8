/**
 * @file Chooses the step runner of a `fit`: compiled ONNX steps on onnxruntime-node when the
 * engine is `ort` (the default where tfjs-node is absent and ORT loads), else tfjs. The ORT
 * runner itself falls back to tfjs, per model, for whatever the compiler cannot lower.
 */
import type * as tf from '@tensorflow/tfjs';
import { engineInfo } from '../engine/engine.js';
import { TfjsStepRunner, type StepRunner, type TrainingEngine } from '../training/step-runner.js';
import type { TrainingProblem } from '../training/trainer.js';
import { planOptimizer } from './optimizer.js';
import { loadOrt } from './runtime.js';
import { OrtStepRunner } from './step.js';
import { NotLowerableError } from './trace.js';

/** Options of {@link createStepRunner}. */
export interface StepRunnerOptions {
  clipNorm?: number;
  threads?: number | 'split' | 'spin' | 'auto';
  /** Steps the fit will take, when known ('auto' does not probe a short fit). */
  expectedSteps?: number;
  /** Epochs the fit will run (with the first epoch's steps, the fit's length when the data's size is unknown). */
  epochs?: number;
  onEngine?: (engine: TrainingEngine, reason?: string) => void;
}

/** The runner for one fit (see the file comment). */
export async function createStepRunner(problem: TrainingProblem<unknown>, vars: tf.Variable[], optimizer: tf.Optimizer, options: StepRunnerOptions = {}): Promise<StepRunner> {
  const tfjs = (reason?: string) => new TfjsStepRunner(problem, vars, optimizer, options.clipNorm, reason);
  if (engineInfo()?.training !== 'onnxruntime') return tfjs();
  const ort = await loadOrt();
  if (typeof ort === 'string') return tfjs(ort);
  try {
    const plan = planOptimizer(optimizer);
    return new OrtStepRunner(ort, problem, vars, optimizer, plan, { clipNorm: options.clipNorm, threads: options.threads ?? 'auto', expectedSteps: options.expectedSteps, epochs: options.epochs, onEngine: options.onEngine });
  } catch (e) {
    if (e instanceof NotLowerableError) return tfjs(e.message);
    throw e;
  }
}
