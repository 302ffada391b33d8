/**
 * @file `_FusedMatMul` for the wasm backend: like BatchMatMul, transposed operands are
 * transposed explicitly and the stock fused kernel (bias + activation) runs without the
 * transpose flags, whose path in the stock kernel is several times slower.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { matMulWithoutTransposes } from './batch-mat-mul.js';
import { ownKernel, stockSetup } from './stock.js';

const fusedMatMul: KernelFunc = (args) => matMulWithoutTransposes(tf._FusedMatMul, args);

/** Wasm `_FusedMatMul` that never runs the stock kernel's slow transposed path. */
export const fusedMatMulConfig: KernelConfig = ownKernel({
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  setupFunc: stockSetup(tf._FusedMatMul),
  kernelFunc: fusedMatMul,
});
