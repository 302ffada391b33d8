/**
 * @file Scalar evaluation metrics on plain arrays: classification accuracy and confusion
 * matrices, regression errors, and the equal error rate of a verification system.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string, names: [string, string]): void {
  if (a.length !== b.length) {
    throw new ShapeMismatchError(`${what}: ${names[0]} has ${a.length} entries but ${names[1]} has ${b.length}.`);
  }
}

/**
 * Share of predictions equal to their labels.
 * @param pred - predicted classes.
 * @param labels - true classes, same length.
 * @returns accuracy in [0, 1].
 * @throws {ShapeMismatchError} when the lengths differ.
 * @throws {InvalidArgumentError} on empty input.
 * @example
 * ```ts
 * accuracy([0, 1, 2, 2], [0, 1, 1, 2]); // 0.75
 * ```
 */
export function accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  sameLength(pred, labels, 'accuracy', ['pred', 'labels']);
  if (pred.length === 0) throw new InvalidArgumentError('accuracy of zero predictions is undefined.');
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / pred.length;
}

/**
 * Counts of (true class, predicted class) pairs.
 * @param pred - predicted classes, integers in `[0, numClasses)`.
 * @param labels - true classes, same length.
 * @param numClasses - number of classes. @default 1 + the largest class seen
 * @returns `matrix[label][pred]` counts.
 * @throws {ShapeMismatchError} when the lengths differ.
 * @throws {InvalidArgumentError} on a class that is not an integer in range.
 * @example
 * ```ts
 * confusionMatrix([0, 1, 1], [0, 1, 0]); // [[1, 1], [0, 1]]
 * ```
 */
export function confusionMatrix(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses?: number): number[][] {
  sameLength(pred, labels, 'confusionMatrix', ['pred', 'labels']);
  let max = -1;
  for (const arr of [pred, labels]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`confusionMatrix: class ${v} at ${i} is not an integer >= 0.`);
      if (v > max) max = v;
    }
  }
  const c = numClasses ?? max + 1;
  if (!Number.isInteger(c) || c < 1 || max >= c) {
    throw new InvalidArgumentError(`confusionMatrix: numClasses = ${c} does not cover class ${max}.`);
  }
  if (c > 65536) throw new InvalidArgumentError(`confusionMatrix: ${c} classes is too many for a dense matrix.`);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < pred.length; i++) m[labels[i]][pred[i]]++;
  return m;
}

/**
 * Mean squared error between two equally long arrays (for example the `data` of two
 * matrices).
 * @param a - values.
 * @param b - reference values.
 * @returns mean of `(a - b)²`.
 * @throws {ShapeMismatchError} when the lengths differ.
 * @throws {InvalidArgumentError} on empty input.
 * @example
 * ```ts
 * mse(recon.data, original.data); // e.g. 0.012
 * ```
 */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'mse', ['a', 'b']);
  if (a.length === 0) throw new InvalidArgumentError('mse of empty arrays is undefined.');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/**
 * Coefficient of determination of predictions against targets, pooled over all entries
 * after removing each target column's mean: `1 - SSE / SST`.
 * @param pred - predictions, `n x d` row-major (or a flat vector with `cols = 1`).
 * @param target - targets, same layout.
 * @param cols - columns per row. @default 1
 * @returns R² (1 is perfect, 0 is no better than the column means; can be negative).
 * @throws {ShapeMismatchError} when the lengths differ or are not a multiple of `cols`.
 * @throws {InvalidArgumentError} on empty input or constant targets.
 * @example
 * ```ts
 * rSquared(map.apply(x).data, y.data, y.cols); // e.g. 0.87
 * ```
 */
export function rSquared(pred: ArrayLike<number>, target: ArrayLike<number>, cols = 1): number {
  sameLength(pred, target, 'rSquared', ['pred', 'target']);
  if (!Number.isInteger(cols) || cols < 1 || target.length % cols !== 0) {
    throw new ShapeMismatchError(`rSquared: ${target.length} values do not split into rows of ${cols}.`);
  }
  const n = target.length / cols;
  if (n === 0) throw new InvalidArgumentError('rSquared of empty arrays is undefined.');
  const mean = new Float64Array(cols);
  for (let i = 0; i < target.length; i++) mean[i % cols] += target[i] / n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < target.length; i++) {
    sse += (pred[i] - target[i]) ** 2;
    sst += (target[i] - mean[i % cols]) ** 2;
  }
  if (!(sst > 0)) throw new InvalidArgumentError('rSquared is undefined for constant targets.');
  return 1 - sse / sst;
}

/** What {@link equalErrorRateDetails} returns. */
export interface EqualErrorRateResult {
  /** The rate at which false acceptances equal false rejections, in [0, 1]. */
  eer: number;
  /** A score threshold at (or interpolated to) that point: accept when `score >= threshold`. */
  threshold: number;
}

/**
 * Equal error rate with the threshold where it occurs. Sweeps the threshold over the
 * sorted scores (tied scores move together), and interpolates linearly between the two
 * operating points where the false-rejection rate drops below the false-acceptance rate.
 * @param scores - similarity scores, higher meaning "same".
 * @param isTarget - whether each trial is a target (same speaker) trial.
 * @returns EER and threshold.
 * @throws {ShapeMismatchError} when the lengths differ.
 * @throws {InvalidArgumentError} without both target and non-target trials, or on a NaN score.
 * @example
 * ```ts
 * const { eer, threshold } = equalErrorRateDetails([0.9, 0.8, 0.3, 0.1], [true, true, false, false]);
 * // { eer: 0, threshold: 0.8 }
 * ```
 */
export function equalErrorRateDetails(scores: ArrayLike<number>, isTarget: ArrayLike<boolean | number>): EqualErrorRateResult {
  sameLength(scores, isTarget, 'equalErrorRate', ['scores', 'isTarget']);
  const n = scores.length;
  let targets = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new InvalidArgumentError(`equalErrorRate: score ${i} is NaN.`);
    if (isTarget[i]) targets++;
  }
  const nonTargets = n - targets;
  if (targets === 0 || nonTargets === 0) {
    throw new InvalidArgumentError(
      `equalErrorRate needs target and non-target trials; found ${targets} targets and ${nonTargets} non-targets.`,
    );
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // Start by rejecting everything: FAR = 0, FRR = 1. Lower the threshold past one group of
  // tied scores at a time.
  let accTargets = 0;
  let accNon = 0;
  let prevFar = 0;
  let prevFrr = 1;
  let prevThreshold = scores[order[0]] + 1;
  for (let i = 0; i < n; ) {
    const s = scores[order[i]];
    let j = i;
    while (j < n && scores[order[j]] === s) {
      if (isTarget[order[j]]) accTargets++;
      else accNon++;
      j++;
    }
    const far = accNon / nonTargets;
    const frr = 1 - accTargets / targets;
    if (frr <= far) {
      const before = prevFrr - prevFar;
      const after = frr - far;
      // The crossing lies between the previous operating point and this one.
      const t = before - after > 0 ? before / (before - after) : 0;
      const eer = prevFar + t * (far - prevFar);
      const threshold = Number.isFinite(prevThreshold) ? prevThreshold + t * (s - prevThreshold) : s;
      return { eer, threshold };
    }
    prevFar = far;
    prevFrr = frr;
    prevThreshold = s;
    i = j;
  }
  // Unreachable: after the last group FRR = 0 <= FAR.
  return { eer: prevFar, threshold: prevThreshold };
}

/**
 * Equal error rate of a verification system (speaker verification, face verification): the
 * error rate at the threshold where the false-acceptance and false-rejection rates are equal.
 * 0 for perfectly separated scores, about 0.5 when targets and non-targets score alike.
 * @param scores - similarity scores, higher meaning "same".
 * @param isTarget - whether each trial is a target trial.
 * @returns the EER in [0, 1].
 * @throws {ShapeMismatchError} when the lengths differ.
 * @throws {InvalidArgumentError} without both kinds of trials, or on a NaN score.
 * @example
 * ```ts
 * equalErrorRate([0.9, 0.4, 0.6, 0.1], [true, true, false, false]); // 0.5
 * ```
 */
export function equalErrorRate(scores: ArrayLike<number>, isTarget: ArrayLike<boolean | number>): number {
  return equalErrorRateDetails(scores, isTarget).eer;
}
