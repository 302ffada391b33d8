/**
 * @file MlpMap: a small non-linear map between two latent spaces, trained on paired rows, with
 * an optional prototype output (a softmax mix of learned target codes).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ModelFormatError, ShapeMismatchError } from '../errors/errors.js';
import { columnMeans, columnStds } from '../math/linalg.js';
import { toMatrix, type Matrix, type MatrixLike } from '../math/matrix.js';
import { shuffledIndices } from '../math/random.js';
import { applyAffine, jsonFail, jsonInt, jsonMatrix, jsonVector, matrixRows, pairedInputs } from './shared.js';

/** Options of {@link MlpMap.fit}. */
export interface MlpMapOptions {
  /** Hidden layer widths. @default [256] */
  hidden?: number[];
  /** Hidden activation. @default 'relu' */
  activation?: 'relu' | 'tanh';
  /** Passes over the data. @default 30 */
  epochs?: number;
  /** Rows per Adam step. @default 256 */
  batchSize?: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate?: number;
  /** L2 penalty on the weights (not biases), added to the loss. @default 0 */
  weightDecay?: number;
  /** Seed of the initial weights and the batch order. @default 0 */
  seed?: number;
  /**
   * When set, the last layer scores this many learned output codes (prototypes) and the map
   * returns their softmax-weighted mix instead of a free linear output. Use it when the
   * targets sit in clusters (say, one typical image code per class): a linear output that
   * is unsure between two clusters lands halfway, on a code that may decode to nothing
   * recognisable, while a confident softmax lands on one prototype. The prototypes start at
   * target rows chosen far apart (farthest-point, from a seeded first row) and are trained
   * with the rest. @default undefined (a linear output)
   */
  prototypes?: number;
}

/** The JSON form of an {@link MlpMap}. */
export interface MlpMapJson {
  kind: 'latentkit/mlp-map';
  version: 1;
  activation: 'relu' | 'tanh';
  /** Layer widths from input to output, e.g. `[32, 256, 64]`. */
  sizes: number[];
  /** Per layer: `sizes[l] x sizes[l + 1]` weights as rows. */
  weights: number[][][];
  biases: number[][];
  /** With the `prototypes` option: `sizes[last] x outputDim` output codes (standardised), mixed by a softmax over the last layer. */
  prototypes?: number[][];
  /** Input standardisation and output de-standardisation. */
  inputMean: number[];
  inputStd: number[];
  outputMean: number[];
  outputStd: number[];
}

/**
 * A small non-linear map between two latent spaces: an MLP trained with Adam on paired rows
 * (inputs and targets standardised), seeded so the same data and options give the same map.
 * Training runs on tfjs; the trained weights are then kept as plain arrays, so `apply` is
 * synchronous and nothing stays allocated on the backend.
 *
 * @example
 * ```ts
 * const map = await MlpMap.fit(audioCodes, textCodes, { hidden: [128], epochs: 50 });
 * const mapped = map.apply(newAudioCodes);
 * map.dispose();
 * ```
 */
export class MlpMap {
  private layers: { w: Matrix; b: Float32Array }[] | undefined;

  private constructor(
    layers: { w: Matrix; b: Float32Array }[],
    /** Hidden activation. */
    readonly activation: 'relu' | 'tanh',
    private readonly inputMean: Float32Array,
    private readonly inputStd: Float32Array,
    private readonly outputMean: Float32Array,
    private readonly outputStd: Float32Array,
    /** Mean training loss (standardised MSE) per epoch; empty for a loaded map. */
    readonly history: number[] = [],
    /** Learned output codes (`k x outputDim`, standardised) mixed by a softmax over the last layer; absent for a linear output. */
    private readonly prototypes?: Matrix,
  ) {
    this.layers = layers;
  }

  /** Input dimension. */
  get inputDim(): number {
    return this.inputMean.length;
  }

  /** Output dimension. */
  get outputDim(): number {
    return this.outputMean.length;
  }

  /**
   * Trains an MLP `x -> y` on paired rows.
   * @param x - `n x dx` source rows.
   * @param y - `n x dy` target rows.
   * @param options - architecture and training settings.
   * @returns the trained map.
   * @throws {ShapeMismatchError} when the rows are not paired.
   * @throws {InvalidArgumentError} on bad options or non-finite values.
   */
  static async fit(x: MatrixLike, y: MatrixLike, options: MlpMapOptions = {}): Promise<MlpMap> {
    const [mx, my] = pairedInputs(x, y, 'MlpMap.fit');
    const hidden = options.hidden ?? [256];
    const activation = options.activation ?? 'relu';
    const epochs = options.epochs ?? 30;
    const batchSize = options.batchSize ?? 256;
    const lr = options.learningRate ?? 1e-3;
    const decay = options.weightDecay ?? 0;
    const seed = options.seed ?? 0;
    const k = options.prototypes;
    if (k !== undefined && !(Number.isInteger(k) && k >= 2 && k <= 65536)) {
      throw new InvalidArgumentError(`MlpMap prototypes must be an integer in [2, 65536], got ${k}.`);
    }
    if (!hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 65536)) {
      throw new InvalidArgumentError(`MlpMap hidden widths must be integers in [1, 65536], got [${hidden.join(', ')}].`);
    }
    if (activation !== 'relu' && activation !== 'tanh') {
      throw new InvalidArgumentError(`MlpMap activation must be 'relu' or 'tanh', got '${String(activation)}'.`);
    }
    for (const [name, v, min] of [['epochs', epochs, 1], ['batchSize', batchSize, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`MlpMap ${name} must be an integer >= ${min}, got ${v}.`);
    }
    if (!(lr > 0) || !(decay >= 0)) {
      throw new InvalidArgumentError(`MlpMap needs learningRate > 0 and weightDecay >= 0; got ${lr} and ${decay}.`);
    }
    if (k !== undefined && k > mx.rows) {
      throw new InvalidArgumentError(`MlpMap prototypes (${k}) must not exceed the number of training rows (${mx.rows}).`);
    }
    await initEngine();

    const n = mx.rows;
    const dx = mx.cols;
    const dy = my.cols;
    const xMean = columnMeans(mx);
    const xStd = columnStds(mx, xMean).map((s) => (s > 1e-12 ? s : 1));
    const yMean = columnMeans(my);
    const yStd = columnStds(my, yMean).map((s) => (s > 1e-12 ? s : 1));
    const xs = new Float32Array(n * dx);
    const ys = new Float32Array(n * dy);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dx; j++) xs[i * dx + j] = (mx.data[i * dx + j] - xMean[j]) / xStd[j];
      for (let j = 0; j < dy; j++) ys[i * dy + j] = (my.data[i * dy + j] - yMean[j]) / yStd[j];
    }
    const sizes = [dx, ...hidden, k ?? dy];
    // tf.variable shares its initial tensor's data and adds a reference: drop ours.
    const owned = (t: tf.Tensor): tf.Variable => {
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const vars = sizes.slice(0, -1).map((din, l) => ({
      w: owned(tf.initializers.glorotUniform({ seed: seed * 1000 + l + 1 }).apply([din, sizes[l + 1]]) as tf.Tensor),
      b: owned(tf.zeros([sizes[l + 1]])),
    }));
    const protos = k === undefined ? undefined : owned(tf.tensor2d(farthestRows(ys, n, dy, k, seed), [k, dy]));
    const optimizer = tf.train.adam(lr);
    const history: number[] = [];
    const act = activation === 'relu' ? tf.relu : tf.tanh;
    const bx = new Float32Array(batchSize * dx);
    const by = new Float32Array(batchSize * dy);
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = shuffledIndices(n, seed * 7919 + epoch);
        let total = 0;
        for (let s = 0; s < n; s += batchSize) {
          const c = Math.min(batchSize, n - s);
          for (let i = 0; i < c; i++) {
            const r = order[s + i];
            bx.set(xs.subarray(r * dx, (r + 1) * dx), i * dx);
            by.set(ys.subarray(r * dy, (r + 1) * dy), i * dy);
          }
          const lossT = tf.tidy((): tf.Scalar => {
            const xb = tf.tensor2d(bx.subarray(0, c * dx), [c, dx]);
            const yb = tf.tensor2d(by.subarray(0, c * dy), [c, dy]);
            return optimizer.minimize(() => {
              let h: tf.Tensor = xb;
              vars.forEach((v, l) => {
                h = tf.add(tf.matMul(h, v.w), v.b);
                if (l < vars.length - 1) h = act(h);
              });
              if (protos) h = tf.matMul(tf.softmax(h), protos);
              let loss = tf.mean(tf.squaredDifference(h, yb));
              if (decay > 0) for (const v of vars) loss = tf.add(loss, tf.mul(decay, tf.sum(tf.square(v.w))));
              return loss as tf.Scalar;
            }, true)!;
          });
          total += (lossT.dataSync() as Float32Array)[0] * c;
          lossT.dispose();
        }
        const mean = total / n;
        if (!Number.isFinite(mean)) {
          throw new InvalidArgumentError(`MlpMap training diverged at epoch ${epoch + 1} (loss ${mean}); lower learningRate.`);
        }
        history.push(mean);
      }
      const layers = vars.map((v, l) => ({
        w: { data: v.w.dataSync() as Float32Array, rows: sizes[l], cols: sizes[l + 1] },
        b: v.b.dataSync() as Float32Array,
      }));
      return new MlpMap(
        layers,
        activation,
        Float32Array.from(xMean),
        Float32Array.from(xStd),
        Float32Array.from(yMean),
        Float32Array.from(yStd),
        history,
        protos && { data: protos.dataSync() as Float32Array, rows: k!, cols: dy },
      );
    } finally {
      optimizer.dispose();
      protos?.dispose();
      for (const v of vars) {
        v.w.dispose();
        v.b.dispose();
      }
    }
  }

  /**
   * Maps rows of the source space into the target space.
   * @param x - `n x inputDim` rows.
   * @returns `n x outputDim` rows.
   * @throws {ShapeMismatchError} when `x` has another number of columns.
   * @throws {InvalidArgumentError} after {@link MlpMap.dispose}.
   */
  apply(x: MatrixLike): Matrix {
    const layers = this.layers;
    if (!layers) throw new InvalidArgumentError('This MlpMap was disposed.');
    const m = toMatrix(x);
    if (m.rows === 0) return { data: new Float32Array(0), rows: 0, cols: this.outputDim };
    if (m.cols !== this.inputDim) {
      throw new ShapeMismatchError(`MlpMap maps ${this.inputDim} features; the input has ${m.cols}.`);
    }
    const h0 = new Float32Array(m.data.length);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) h0[i * m.cols + j] = (m.data[i * m.cols + j] - this.inputMean[j]) / this.inputStd[j];
    }
    let h: Matrix = { data: h0, rows: m.rows, cols: m.cols };
    layers.forEach((layer, l) => {
      h = applyAffine(h, layer.w, layer.b, 'MlpMap layer');
      if (l < layers.length - 1) {
        const d = h.data;
        if (this.activation === 'relu') for (let i = 0; i < d.length; i++) d[i] = d[i] > 0 ? d[i] : 0;
        else for (let i = 0; i < d.length; i++) d[i] = Math.tanh(d[i]);
      }
    });
    if (this.prototypes) h = { data: softmaxMix(h, this.prototypes), rows: h.rows, cols: this.prototypes.cols };
    const out = h.data;
    const dy = this.outputDim;
    for (let i = 0; i < h.rows; i++) for (let j = 0; j < dy; j++) out[i * dy + j] = out[i * dy + j] * this.outputStd[j] + this.outputMean[j];
    return h;
  }

  /** Releases the weights; later calls to {@link MlpMap.apply} throw. */
  dispose(): void {
    this.layers = undefined;
  }

  /**
   * A JSON-safe snapshot for {@link MlpMap.fromJSON}.
   * @throws {InvalidArgumentError} after {@link MlpMap.dispose}.
   */
  toJSON(): MlpMapJson {
    const layers = this.layers;
    if (!layers) throw new InvalidArgumentError('This MlpMap was disposed.');
    return {
      kind: 'latentkit/mlp-map',
      version: 1,
      activation: this.activation,
      sizes: [this.inputDim, ...layers.map((l) => l.w.cols)],
      weights: layers.map((l) => matrixRows(l.w)),
      biases: layers.map((l) => Array.from(l.b)),
      ...(this.prototypes && { prototypes: matrixRows(this.prototypes) }),
      inputMean: Array.from(this.inputMean),
      inputStd: Array.from(this.inputStd),
      outputMean: Array.from(this.outputMean),
      outputStd: Array.from(this.outputStd),
    };
  }

  /**
   * Rebuilds a map saved with {@link MlpMap.toJSON}.
   * @param json - the parsed JSON.
   * @param file - where it came from, for error messages.
   * @returns the map.
   * @throws {ModelFormatError} when a field is missing or malformed.
   */
  static fromJSON(json: unknown, file?: string): MlpMap {
    const fail = jsonFail('MlpMap', file);
    if (typeof json !== 'object' || json === null) fail('expected an object.');
    const j = json as Partial<Record<keyof MlpMapJson, unknown>>;
    if (j.kind !== 'latentkit/mlp-map') fail(`field 'kind' should be 'latentkit/mlp-map', found ${JSON.stringify(j.kind)}.`);
    if (j.version !== 1) fail(`field 'version' should be 1, found ${JSON.stringify(j.version)}.`);
    if (j.activation !== 'relu' && j.activation !== 'tanh') fail(`field 'activation' should be 'relu' or 'tanh'.`);
    if (!Array.isArray(j.sizes) || j.sizes.length < 2) fail(`field 'sizes' should list at least 2 widths.`);
    const sizes = (j.sizes as unknown[]).map((s, i) => jsonInt(s, `sizes[${i}]`, 1, fail));
    const nl = sizes.length - 1;
    if (!Array.isArray(j.weights) || j.weights.length !== nl) fail(`field 'weights' should hold ${nl} layers.`);
    if (!Array.isArray(j.biases) || j.biases.length !== nl) fail(`field 'biases' should hold ${nl} layers.`);
    const layers = Array.from({ length: nl }, (_, l) => ({
      w: { data: jsonMatrix((j.weights as unknown[])[l], sizes[l], sizes[l + 1], `weights[${l}]`, fail), rows: sizes[l], cols: sizes[l + 1] },
      b: jsonVector((j.biases as unknown[])[l], sizes[l + 1], `biases[${l}]`, fail),
    }));
    const din = sizes[0];
    const k = j.prototypes === undefined ? undefined : sizes[nl];
    const dout = k === undefined ? sizes[nl] : Array.isArray(j.prototypes) && Array.isArray(j.prototypes[0]) ? j.prototypes[0].length : fail(`field 'prototypes' should be rows of numbers.`);
    const prototypes = k === undefined ? undefined : { data: jsonMatrix(j.prototypes, k, dout, 'prototypes', fail), rows: k, cols: dout };
    const positive = (v: Float32Array, name: string): Float32Array => {
      if (v.some((s) => !(s > 0))) fail(`field '${name}' should hold positive numbers.`);
      return v;
    };
    return new MlpMap(
      layers,
      j.activation as 'relu' | 'tanh',
      jsonVector(j.inputMean, din, 'inputMean', fail),
      positive(jsonVector(j.inputStd, din, 'inputStd', fail), 'inputStd'),
      jsonVector(j.outputMean, dout, 'outputMean', fail),
      positive(jsonVector(j.outputStd, dout, 'outputStd', fail), 'outputStd'),
      [],
      prototypes,
    );
  }
}

/** `k` rows of the `n x d` matrix `m`, each the farthest from those already chosen (the first drawn by `seed`). */
function farthestRows(m: Float32Array, n: number, d: number, k: number, seed: number): Float32Array {
  const out = new Float32Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = shuffledIndices(n, seed * 104729 + 17)[0];
  for (let c = 0; c < k; c++) {
    out.set(m.subarray(pick * d, (pick + 1) * d), c * d);
    let far = 0;
    for (let i = 0; i < n; i++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (m[i * d + j] - m[pick * d + j]) ** 2;
      if (dist < nearest[i]) nearest[i] = dist;
      if (nearest[i] > nearest[far]) far = i;
    }
    pick = far;
  }
  return out;
}

/** Row-wise softmax of `logits` times `prototypes`: each row's mix of the prototype rows. */
function softmaxMix(logits: Matrix, prototypes: Matrix): Float32Array {
  const { rows, cols: k } = logits;
  const d = prototypes.cols;
  const out = new Float32Array(rows * d);
  const w = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const z = logits.data.subarray(i * k, (i + 1) * k);
    let max = -Infinity;
    for (const v of z) if (v > max) max = v;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += w[c] = Math.exp(z[c] - max);
    for (let c = 0; c < k; c++) {
      const a = w[c] / sum;
      for (let j = 0; j < d; j++) out[i * d + j] += a * prototypes.data[c * d + j];
    }
  }
  return out;
}
