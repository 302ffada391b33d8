/**
 * @file Rows with a group or class per row, as cross-modal experiments use them: stacking
 * code matrices, standardising within groups (each speaker's codes, with no labels), the most
 * typical row of each class, and a k-nearest-neighbour vote that reads classes.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import type { Matrix } from '../math/matrix.js';
import { knn, type KnnMetric } from '../math/similarity.js';

/**
 * Matrices of the same width stacked top to bottom.
 * @throws {ShapeMismatchError} when the widths differ.
 */
export function concatRows(ms: readonly Matrix[]): Matrix {
  if (ms.length === 0) return { data: new Float32Array(0), rows: 0, cols: 0 };
  const cols = ms[0].cols;
  if (ms.some((m) => m.cols !== cols)) throw new ShapeMismatchError(`concatRows: widths differ (${ms.map((m) => m.cols).join(', ')}).`);
  const data = new Float32Array(ms.reduce((s, m) => s + m.data.length, 0));
  let o = 0;
  for (const m of ms) {
    data.set(m.data, o);
    o += m.data.length;
  }
  return { data, rows: ms.reduce((s, m) => s + m.rows, 0), cols };
}

/**
 * Matrices of the same height side by side (row `i` of the result is every row `i` in turn),
 * e.g. the codes of an ensemble of models.
 * @throws {ShapeMismatchError} when the heights differ.
 */
export function concatColumns(ms: readonly Matrix[]): Matrix {
  if (ms.length === 1) return ms[0];
  const rows = ms[0]?.rows ?? 0;
  if (ms.some((m) => m.rows !== rows)) throw new ShapeMismatchError(`concatColumns: heights differ (${ms.map((m) => m.rows).join(', ')}).`);
  const cols = ms.reduce((s, m) => s + m.cols, 0);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let o = 0;
    for (const m of ms) {
      data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), i * cols + o);
      o += m.cols;
    }
  }
  return { data, rows, cols };
}

/**
 * Standardises each column within each group (zero mean, unit spread per group): removes a
 * group's constant offset, e.g. a voice's, without any class label. A column constant within
 * a group becomes 0 there.
 * @param m `n x d` rows.
 * @param groups group of each row (e.g. the speaker).
 * @returns a new matrix.
 * @throws {ShapeMismatchError} when `groups` does not have one entry per row.
 * @example
 * ```ts
 * const codes = standardizeByGroup(speechCodes, clips.map((c) => c.speaker));
 * ```
 */
export function standardizeByGroup(m: Matrix, groups: readonly string[]): Matrix {
  if (groups.length !== m.rows) throw new ShapeMismatchError(`standardizeByGroup: ${groups.length} groups for ${m.rows} rows.`);
  const out = new Float32Array(m.data);
  for (const g of new Set(groups)) {
    const rows = groups.flatMap((v, i) => (v === g ? [i] : []));
    for (let d = 0; d < m.cols; d++) {
      let mean = 0;
      for (const i of rows) mean += m.data[i * m.cols + d];
      mean /= rows.length;
      let v = 0;
      for (const i of rows) v += (m.data[i * m.cols + d] - mean) ** 2;
      const sd = Math.sqrt(v / rows.length) || 1;
      for (const i of rows) out[i * m.cols + d] = (m.data[i * m.cols + d] - mean) / sd;
    }
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/**
 * Per class, the row nearest the class's mean row: a typical example (a map fitted onto
 * these lands on decodable codes, where the class mean itself may decode to a blur).
 * @param codes `n x d` rows.
 * @param labels class of each row.
 * @returns class -> row index.
 */
export function classMedoids(codes: Matrix, labels: ArrayLike<number>): Map<number, number> {
  const out = new Map<number, number>();
  const all = Array.from(labels);
  for (const c of new Set(all)) {
    const rows = all.flatMap((l, i) => (l === c ? [i] : []));
    const mean = new Float64Array(codes.cols);
    for (const i of rows) for (let d = 0; d < codes.cols; d++) mean[d] += codes.data[i * codes.cols + d] / rows.length;
    let best = rows[0];
    let bestDist = Infinity;
    for (const i of rows) {
      let dist = 0;
      for (let d = 0; d < codes.cols; d++) dist += (codes.data[i * codes.cols + d] - mean[d]) ** 2;
      if (dist < bestDist) [best, bestDist] = [i, dist];
    }
    out.set(c, best);
  }
  return out;
}

/** A k-nearest-neighbour vote over labelled rows (see {@link knnClassifier}). */
export interface KnnClassifier {
  /** The majority class of each row's `k` nearest training rows (ties: the nearest row's class). */
  predict(m: Matrix): Promise<number[]>;
  /** Share of rows predicted as `labels`. */
  accuracy(m: Matrix, labels: ArrayLike<number>): Promise<number>;
}

/**
 * A k-nearest-neighbour classifier over labelled rows: an independent judge of what a
 * decoded output shows (5 nearest MNIST images by pixel cosine read 94% of MNIST test).
 * @param train `n x d` rows.
 * @param labels class of each row.
 * @param k neighbours that vote. @default 5
 * @param metric @default 'cosine'
 * @throws {InvalidArgumentError} when `labels` does not have one entry per row.
 * @example
 * ```ts
 * const judge = knnClassifier(mnistPixels, mnistLabels);
 * const digits = await judge.predict(decodedPixels);
 * ```
 */
export function knnClassifier(train: Matrix, labels: ArrayLike<number>, k = 5, metric: KnnMetric = 'cosine'): KnnClassifier {
  if (labels.length !== train.rows) throw new InvalidArgumentError(`knnClassifier: ${labels.length} labels for ${train.rows} rows.`);
  const predict = async (m: Matrix): Promise<number[]> => {
    const { indices } = await knn(m, train, k, { metric });
    return indices.map((row) => {
      const votes = new Map<number, number>();
      for (const j of row) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
      let best = labels[row[0]];
      for (const [c, v] of votes) if (v > (votes.get(best) ?? 0)) best = c;
      return best;
    });
  };
  return {
    predict,
    accuracy: async (m, y) => {
      const p = await predict(m);
      return p.filter((c, i) => c === y[i]).length / Math.max(1, p.length);
    },
  };
}
