/**
 * @file The collapse check: did a trained autoencoder learn anything about its inputs? A model
 * that did not (too few optimiser steps, a learning rate that diverged to a constant) gives
 * every input the same output, usually the mean input: a grey blob for images. Its loss still
 * falls a little, so a training log alone does not show it. The check compares two numbers
 * with what predicting the mean input would give:
 *
 * - error ratio: the model's mean squared reconstruction error over the mean-input baseline's
 *   (1 = no better than outputting the mean for every input);
 * - spread ratio: how much outputs vary across inputs (mean squared distance to their own
 *   mean) over how much the inputs do (0 = the same output for every input).
 *
 * It works on flat numeric vectors, so every modality can use it: the modality's descriptor
 * turns its samples and reconstructions into vectors ({@link TrainingCheck}).
 */
import type { Autoencoder, ModelConfig } from '../model/types.js';
import { InvalidArgumentError, LatentkitError } from '../errors/errors.js';

/** Thresholds of {@link collapseCheck}; the defaults are {@link COLLAPSE_THRESHOLDS}. */
export interface CollapseThresholds {
  /**
   * Error ratio at or above which the model "did not learn". The mean input scores 1; a
   * 2-number MNIST code from a trained conv AE scores ~0.75 (bench/results/image.json: test
   * MSE 0.050 against a mean-image MSE of ~0.067), so 0.9 leaves trained tiny codes alone.
   */
  collapsedErrorRatio: number;
  /** Spread ratio below which the outputs count as one output for every input. */
  collapsedSpreadRatio: number;
  /** Error ratio above which a model that learned something is called weak (a warning only). */
  weakErrorRatio: number;
}

/** Defaults of {@link CollapseThresholds} (see there for why these values). */
export const COLLAPSE_THRESHOLDS: Readonly<CollapseThresholds> = Object.freeze({
  collapsedErrorRatio: 0.9,
  collapsedSpreadRatio: 0.05,
  weakErrorRatio: 0.6,
});

/** What {@link collapseCheck} found. */
export interface CollapseVerdict {
  /**
   * `collapsed`: no better than the mean input, or the same output for every input;
   * `weak`: learned something, but reconstructions are far from the inputs;
   * `learned`: clearly better than the mean input, with outputs that follow the inputs.
   */
  status: 'collapsed' | 'weak' | 'learned';
  /** Inputs the check reconstructed. */
  samples: number;
  /** Mean squared error of the reconstructions (per value). */
  modelError: number;
  /** Mean squared error of outputting the mean input for every input (per value). */
  baselineError: number;
  /** `modelError / baselineError`. */
  errorRatio: number;
  /** Mean squared distance of the outputs to their mean (per value). */
  outputSpread: number;
  /** Mean squared distance of the inputs to their mean (per value; equals `baselineError`). */
  inputSpread: number;
  /** `outputSpread / inputSpread`. */
  spreadRatio: number;
}

/**
 * Compares reconstructions with the mean-input baseline and measures how much they vary.
 * @param inputs one flat vector per input (all of one length).
 * @param outputs the model's reconstruction of each input, same lengths.
 * @param thresholds overrides of {@link COLLAPSE_THRESHOLDS}.
 * @returns the verdict with its numbers.
 * @throws {InvalidArgumentError} for fewer than 2 inputs, counts or lengths that differ, or
 *   inputs that do not vary at all (no baseline to beat).
 * @example
 * ```ts
 * const v = collapseCheck(images.map((im) => im.data), recon.map((im) => im.data));
 * if (v.status === 'collapsed') console.log(describeCollapse(v));
 * ```
 */
export function collapseCheck(
  inputs: readonly ArrayLike<number>[],
  outputs: readonly ArrayLike<number>[],
  thresholds: Partial<CollapseThresholds> = {},
): CollapseVerdict {
  const t = { ...COLLAPSE_THRESHOLDS, ...thresholds };
  const n = inputs.length;
  if (n < 2) throw new InvalidArgumentError(`collapseCheck needs at least 2 inputs, got ${n}.`);
  if (outputs.length !== n) throw new InvalidArgumentError(`collapseCheck got ${n} inputs but ${outputs.length} outputs.`);
  const d = inputs[0].length;
  for (let i = 0; i < n; i++) {
    if (inputs[i].length !== d || outputs[i].length !== d) {
      throw new InvalidArgumentError(`collapseCheck: row ${i} has ${inputs[i].length} input and ${outputs[i].length} output values, expected ${d}.`);
    }
  }
  const meanIn = new Float64Array(d);
  const meanOut = new Float64Array(d);
  let err = 0;
  for (let i = 0; i < n; i++) {
    const a = inputs[i];
    const b = outputs[i];
    for (let j = 0; j < d; j++) {
      meanIn[j] += a[j] / n;
      meanOut[j] += b[j] / n;
      const e = a[j] - b[j];
      err += e * e;
    }
  }
  let inSpread = 0;
  let outSpread = 0;
  for (let i = 0; i < n; i++) {
    const a = inputs[i];
    const b = outputs[i];
    for (let j = 0; j < d; j++) {
      inSpread += (a[j] - meanIn[j]) ** 2;
      outSpread += (b[j] - meanOut[j]) ** 2;
    }
  }
  const per = n * d;
  const modelError = err / per;
  const inputSpread = inSpread / per;
  const outputSpread = outSpread / per;
  if (!(inputSpread > 0)) throw new InvalidArgumentError('collapseCheck: the inputs are all the same, so there is no mean-input baseline to beat.');
  const errorRatio = modelError / inputSpread;
  const spreadRatio = outputSpread / inputSpread;
  // A NaN ratio (non-finite outputs) fails both comparisons below, so it lands on `collapsed`.
  const status =
    errorRatio < t.collapsedErrorRatio && spreadRatio >= t.collapsedSpreadRatio ? (errorRatio > t.weakErrorRatio ? 'weak' : 'learned') : 'collapsed';
  return { status, samples: n, modelError, baselineError: inputSpread, errorRatio, outputSpread, inputSpread, spreadRatio };
}

/**
 * One plain sentence about a verdict, numbers included, e.g. `collapse check on 500 inputs:
 * learned — reconstruction error 0.0123 is 0.18x the mean-input baseline's 0.0671; outputs vary
 * 0.86x as much as the inputs`.
 */
export function describeCollapse(v: CollapseVerdict): string {
  const nums =
    `reconstruction error ${v.modelError.toPrecision(3)} is ${v.errorRatio.toFixed(2)}x the mean-input baseline's ${v.baselineError.toPrecision(3)}; ` +
    `outputs vary ${v.spreadRatio.toFixed(2)}x as much as the inputs`;
  const what =
    v.status === 'learned'
      ? 'learned'
      : v.status === 'weak'
        ? 'learned little (reconstructions are far from the inputs; more epochs or a larger code may help)'
        : 'DID NOT LEARN (its outputs are no better than the mean input, or nearly the same for every input; train longer, e.g. more --epochs, or change --lr)';
  return `collapse check on ${v.samples} inputs: ${what} — ${nums}`;
}

/**
 * A modality's way to run {@link collapseCheck} on one of its models (a member of its
 * descriptor, so `latentkit train`, the demo and the tests run the same check without knowing
 * the modality).
 */
export interface TrainingCheck<S, O = S> {
  /**
   * Reconstructs `samples` with `model` and judges the result.
   * @param samples inputs to check on (a caller passes at most a few hundred).
   */
  run(model: Autoencoder<S, O, ModelConfig>, samples: readonly S[]): Promise<CollapseVerdict>;
}

/** Raised (by `latentkit train --strict`, or a caller) when a trained model failed the collapse check. */
export class ModelDidNotLearnError extends LatentkitError {
  override readonly code: string = 'LK_MODEL_DID_NOT_LEARN';
  /** The verdict that failed. */
  readonly verdict: CollapseVerdict;
  constructor(verdict: CollapseVerdict, message = describeCollapse(verdict), options: { file?: string; hint?: string } = {}) {
    super(message, options);
    this.verdict = verdict;
  }
}

/**
 * Up to `limit` samples spread evenly over `samples` (first, last and evenly between), so a
 * check sees every class of a class-sorted dataset without reconstructing all of it.
 */
export function spreadSample<S>(samples: readonly S[], limit = 256): S[] {
  if (samples.length <= limit) return [...samples];
  const out: S[] = [];
  for (let k = 0; k < limit; k++) out.push(samples[Math.round((k * (samples.length - 1)) / (limit - 1))]);
  return out;
}
