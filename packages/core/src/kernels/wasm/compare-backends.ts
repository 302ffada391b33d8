/**
 * @file Helpers for checking a wasm kernel against the cpu backend: same inputs on both,
 * results compared by relative error. Used by the kernel tests and handy when writing a new
 * kernel; not part of the package's public API.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../errors/errors.js';
import { createNormalRng } from '../../math/random.js';
import { registerWasmKernels } from '../register.js';

/** A tensor given as plain data, so it can be rebuilt on each backend. */
export interface HostTensor {
  /** Row-major values. */
  values: Float32Array | Int32Array;
  /** Tensor shape. */
  shape: number[];
  /** Tensor dtype. @default 'float32' */
  dtype?: 'float32' | 'int32';
}

/**
 * Normal(0, 1) data of the given shape, reproducible from the seed.
 *
 * @param shape - tensor shape.
 * @param seed - PRNG seed.
 * @returns float32 host data.
 * @example
 * ```ts
 * const x = randomHost([2, 5, 5, 3], 1);
 * ```
 */
export function randomHost(shape: number[], seed: number): HostTensor {
  const next = createNormalRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = next();
  return { values, shape };
}

/**
 * Largest absolute difference over the largest magnitude of the reference:
 * `max|a - b| / max(max|b|, 1e-6)`.
 *
 * @param a - the values under test.
 * @param b - the reference values.
 * @returns the relative error; Infinity when the lengths differ or `a` holds a non-finite value.
 * @example
 * ```ts
 * maxRelError([1, 2], [1, 2.0001]); // ~5e-5
 * ```
 */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** What {@link runOnBackend} returns: each output's values and shape. */
export interface BackendResult {
  /** Values of each output, copied off the backend. */
  values: (Float32Array | Int32Array | Uint8Array)[];
  /** Shape of each output. */
  shapes: number[][];
}

/**
 * Activates a backend (wasm with latentkit's kernels, or cpu), builds the inputs there and
 * runs `f` inside tf.tidy, returning plain copies of its outputs.
 *
 * @param backend - `'wasm'` or `'cpu'`.
 * @param inputs - host data turned into tensors on that backend.
 * @param f - builds the outputs from the input tensors.
 * @returns the outputs' values and shapes.
 * @throws {BackendUnavailableError} when the backend cannot be activated.
 * @example
 * ```ts
 * const r = await runOnBackend('wasm', [x, w], ([x, w]) => tf.matMul(x, w));
 * ```
 */
export async function runOnBackend(
  backend: 'wasm' | 'cpu',
  inputs: HostTensor[],
  f: (tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<BackendResult> {
  registerWasmKernels();
  if (!(await tf.setBackend(backend))) throw new BackendUnavailableError(`tf.setBackend('${backend}') returned false.`);
  return tf.tidy(() => {
    const tensors = inputs.map((h) => tf.tensor(h.values, h.shape, h.dtype ?? 'float32'));
    const out = f(tensors);
    const list = Array.isArray(out) ? out : [out];
    return { values: list.map((t) => t.dataSync().slice()), shapes: list.map((t) => t.shape) };
  });
}

/**
 * Runs `f` on the cpu backend and on wasm (with latentkit's kernels) and reports the worst
 * relative error over the outputs, plus the shapes, which must match.
 *
 * @param inputs - host data for `f`'s input tensors.
 * @param f - builds the outputs from the input tensors.
 * @returns the worst relative error, and the wasm and cpu output shapes.
 * @example
 * ```ts
 * const { error } = await compareWithCpu([a, b], ([a, b]) => tf.matMul(a, b, true));
 * expect(error).toBeLessThanOrEqual(1e-4);
 * ```
 */
export async function compareWithCpu(
  inputs: HostTensor[],
  f: (tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ error: number; wasmShapes: number[][]; cpuShapes: number[][] }> {
  const cpu = await runOnBackend('cpu', inputs, f);
  const wasm = await runOnBackend('wasm', inputs, f);
  let error = wasm.values.length === cpu.values.length ? 0 : Infinity;
  cpu.values.forEach((ref, i) => (error = Math.max(error, maxRelError(wasm.values[i] ?? [], ref))));
  return { error, wasmShapes: wasm.shapes, cpuShapes: cpu.shapes };
}
