/**
 * @file `BatchMatMul` for the wasm backend: transposed operands are transposed explicitly,
 * then multiplied by the stock kernel with no transpose flags.
 *
 * Stock wasm BatchMatMul with `transposeA`/`transposeB` runs ~6-10x slower than a Transpose
 * plus a plain product (128x784 by 784x256: 22 ms vs 3.7 ms), and these are exactly the
 * products in every dense layer's gradient (`dW = x^T dy`, `dx = dy W^T`).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ownKernel, stockKernel, stockSetup } from './stock.js';

/**
 * Transposes the last two axes of `x` with the registered Transpose kernel.
 *
 * @param x - a tensor of rank >= 2 on the active backend.
 * @returns a new tensor the caller must dispose.
 * @example
 * ```ts
 * const xt = transposeLastTwo(x); // [b, m, k] -> [b, k, m]
 * ```
 */
export function transposeLastTwo(x: TensorInfo): tf.Tensor {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return tf.engine().runKernel(tf.Transpose, { x: x as tf.Tensor }, { perm });
}

/**
 * Runs a stock kernel after explicitly transposing the operands flagged by `transposeA` /
 * `transposeB`, passing both flags as false. Shared by BatchMatMul and _FusedMatMul.
 *
 * @param kernelName - the stock kernel to delegate to.
 * @param args - the kernel's arguments; `inputs.a`, `inputs.b` and the two flags are used.
 * @returns the stock kernel's output.
 * @example
 * ```ts
 * const kernelFunc: KernelFunc = (args) => matMulWithoutTransposes(tf.BatchMatMul, args);
 * ```
 */
export function matMulWithoutTransposes(
  kernelName: string,
  args: Parameters<KernelFunc>[0],
): TensorInfo | TensorInfo[] {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as BatchMatMulAttrs & NamedAttrMap;
  const stock = stockKernel(kernelName);
  if (!attrs.transposeA && !attrs.transposeB) return stock.kernelFunc(args);
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const aT = attrs.transposeA ? transposeLastTwo(a) : undefined;
  const bT = attrs.transposeB ? transposeLastTwo(b) : undefined;
  try {
    return stock.kernelFunc({
      inputs: { ...inputs, a: aT ?? a, b: bT ?? b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
  } finally {
    aT?.dispose();
    bT?.dispose();
  }
}

const batchMatMul: KernelFunc = (args) => matMulWithoutTransposes(tf.BatchMatMul, args);

/** Wasm `BatchMatMul` that never runs the stock kernel's slow transposed path. */
export const batchMatMulConfig: KernelConfig = ownKernel({
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.BatchMatMul),
  kernelFunc: batchMatMul,
});
