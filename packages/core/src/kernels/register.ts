/**
 * @file The one place latentkit's own kernels are registered with tfjs. Called explicitly by
 * `initEngine()`, never as an import side effect, so a custom bundle decides what it gets.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { wasmKernels } from './wasm/index.js';
import { isOwnKernel, stashStockKernel, stockKernel } from './wasm/stock.js';

function stockKernelOrUndefined(name: string) {
  try {
    return stockKernel(name);
  } catch {
    return undefined; // stock wasm never had it
  }
}

/**
 * Registers the kernels training needs that stock tfjs-backend-wasm lacks
 * (Conv2DBackpropFilter, UnsortedSegmentSum) or runs slowly (BatchMatMul and _FusedMatMul
 * with transposes, Conv2DBackpropInput). Replaces stock kernels of the same name, keeping
 * them for the replacements that delegate to them. Idempotent.
 *
 * @example
 * ```ts
 * registerWasmKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernels) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current === config) continue;
    if (current) {
      if (!isOwnKernel(current)) stashStockKernel(config.kernelName);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
}

/**
 * Puts the stock wasm kernels back (benchmarks compare latentkit's kernels with stock tfjs in
 * one process). Kernels stock wasm lacks are removed, so ops that need them fail as in stock.
 * `registerWasmKernels()` undoes it.
 * @example
 * ```ts
 * unregisterWasmKernels(); // time stock tfjs-backend-wasm
 * registerWasmKernels();   // and latentkit's kernels again
 * ```
 */
export function unregisterWasmKernels(): void {
  for (const config of wasmKernels) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current !== config) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernelOrUndefined(config.kernelName);
    if (stock) tf.registerKernel(stock);
  }
}
