/**
 * @file The one place latentkit's own kernels are registered with tfjs. Called explicitly by
 * `initEngine()`, never as an import side effect, so a custom bundle decides what it gets.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmKernels } from './wasm/index.js';

let registered = false;

/**
 * Registers the kernels training needs that stock tfjs-backend-wasm lacks (or runs slowly).
 * Idempotent. Replaces stock kernels of the same name.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const config of wasmKernels) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
}
