/**
 * @file RidgeMap: a linear map between two latent spaces, fitted on paired rows in closed form.
 */
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { centredCrossProduct, checkSquareDim, columnMeans, solveSpd } from '../math/linalg.js';
import type { Matrix, MatrixLike } from '../math/matrix.js';
import { applyAffine, jsonFail, jsonInt, jsonMatrix, jsonVector, matrixRows, pairedInputs } from './shared.js';

/** Options of {@link RidgeMap.fit}. */
export interface RidgeMapOptions {
  /**
   * Ridge penalty, relative to the mean feature variance of `x` (so it does not depend on
   * the scale of the codes): solves `(Cxx + lambda · tr(Cxx)/dx · I) W = Cxy`.
   * @default 1e-3
   */
  lambda?: number;
}

/** The JSON form of a {@link RidgeMap}. */
export interface RidgeMapJson {
  kind: 'latentkit/ridge-map';
  version: 1;
  inputDim: number;
  outputDim: number;
  lambda: number;
  /** `inputDim` rows of `outputDim` values. */
  weights: number[][];
  bias: number[];
}

/**
 * A linear map between two latent spaces fitted on paired rows by ridge regression
 * (closed form, with centring, so the bias is exact and unpenalised).
 *
 * @example
 * ```ts
 * const map = await RidgeMap.fit(textCodes, imageCodes, { lambda: 1e-2 });
 * const predicted = map.apply(newTextCodes); // in image-code space
 * ```
 */
export class RidgeMap {
  private constructor(
    /** `inputDim x outputDim` weights. */
    readonly weights: Matrix,
    /** Output offset. */
    readonly bias: Float32Array,
    /** The penalty it was fitted with. */
    readonly lambda: number,
  ) {}

  /** Input dimension. */
  get inputDim(): number {
    return this.weights.rows;
  }

  /** Output dimension. */
  get outputDim(): number {
    return this.weights.cols;
  }

  /**
   * Fits `y ≈ x W + b` on paired rows.
   * @param x - `n x dx` source rows.
   * @param y - `n x dy` target rows.
   * @param options - the penalty.
   * @returns the fitted map.
   * @throws {ShapeMismatchError} when the rows are not paired.
   * @throws {InvalidArgumentError} on a negative penalty, non-finite values, or (with
   *   `lambda = 0`) a singular `x` covariance.
   */
  static async fit(x: MatrixLike, y: MatrixLike, options: RidgeMapOptions = {}): Promise<RidgeMap> {
    const [mx, my] = pairedInputs(x, y, 'RidgeMap.fit');
    const lambda = options.lambda ?? 1e-3;
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new InvalidArgumentError(`RidgeMap lambda must be a finite number >= 0, got ${lambda}.`);
    }
    checkSquareDim(mx.cols, 'RidgeMap x');
    await initEngine();
    const dx = mx.cols;
    const dy = my.cols;
    const meanX = columnMeans(mx);
    const meanY = columnMeans(my);
    const sxx = centredCrossProduct(mx, mx, meanX, meanX);
    const sxy = centredCrossProduct(mx, my, meanX, meanY);
    let trace = 0;
    for (let i = 0; i < dx; i++) trace += sxx[i * dx + i];
    const ridge = lambda * Math.max(trace / dx, 1e-30);
    for (let i = 0; i < dx; i++) sxx[i * dx + i] += ridge;
    const w = solveSpd(sxx, dx, sxy, dy);
    const bias = new Float32Array(dy);
    for (let j = 0; j < dy; j++) {
      let s = meanY[j];
      for (let i = 0; i < dx; i++) s -= meanX[i] * w[i * dy + j];
      bias[j] = s;
    }
    return new RidgeMap({ data: Float32Array.from(w), rows: dx, cols: dy }, bias, lambda);
  }

  /**
   * Maps rows of the source space into the target space.
   * @param x - `n x inputDim` rows.
   * @returns `n x outputDim` rows.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   */
  apply(x: MatrixLike): Matrix {
    return applyAffine(x, this.weights, this.bias, 'RidgeMap');
  }

  /** A JSON-safe snapshot for {@link RidgeMap.fromJSON}. */
  toJSON(): RidgeMapJson {
    const dy = this.outputDim;
    return {
      kind: 'latentkit/ridge-map',
      version: 1,
      inputDim: this.inputDim,
      outputDim: dy,
      lambda: this.lambda,
      weights: matrixRows(this.weights),
      bias: Array.from(this.bias),
    };
  }

  /**
   * Rebuilds a map saved with {@link RidgeMap.toJSON}.
   * @param json - the parsed JSON.
   * @param file - where it came from, for error messages.
   * @returns the map.
   * @throws {ModelFormatError} when a field is missing or malformed.
   */
  static fromJSON(json: unknown, file?: string): RidgeMap {
    const fail = jsonFail('RidgeMap', file);
    if (typeof json !== 'object' || json === null) fail('expected an object.');
    const j = json as Partial<Record<keyof RidgeMapJson, unknown>>;
    if (j.kind !== 'latentkit/ridge-map') fail(`field 'kind' should be 'latentkit/ridge-map', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    const dx = jsonInt(j.inputDim, 'inputDim', 1, fail);
    const dy = jsonInt(j.outputDim, 'outputDim', 1, fail);
    const lambda = typeof j.lambda === 'number' && j.lambda >= 0 ? j.lambda : fail(`field 'lambda' should be a number >= 0.`);
    return new RidgeMap(
      { data: jsonMatrix(j.weights, dx, dy, 'weights', fail), rows: dx, cols: dy },
      jsonVector(j.bias, dy, 'bias', fail),
      lambda,
    );
  }
}
