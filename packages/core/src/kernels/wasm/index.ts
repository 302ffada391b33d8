/**
 * @file Every kernel latentkit adds to (or replaces in) the wasm backend, one file each.
 */
import type { KernelConfig } from '@tensorflow/tfjs';

export const wasmKernels: KernelConfig[] = [];
