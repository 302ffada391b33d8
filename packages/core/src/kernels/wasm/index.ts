/**
 * @file Every kernel latentkit adds to (or replaces in) the wasm backend, one file each.
 * Each replacement earns its place by a measurement on the shapes training uses (see the
 * file comment of each kernel).
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { fusedMatMulConfig } from './fused-mat-mul.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** The kernels `registerWasmKernels()` registers for the wasm backend. */
export const wasmKernels: KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];
