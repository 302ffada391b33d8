/**
 * @file `UnsortedSegmentSum` for the wasm backend, which ships without it (tf.gather's
 * gradient, so embedding layers cannot train there).
 *
 * A scatter-add over the backend's heap in plain JS: O(rows * width) time and no memory
 * beyond the output. The one-hot route (oneHot(ids, numSegments)^T . x) allocates
 * rows * numSegments floats and multiplies through them; for an embedding gradient (4096
 * tokens, 10000-word vocabulary, width 128) that is 160 MB and billions of multiply-adds
 * against a few hundred thousand additions here.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { InputTooLargeError, InvalidArgumentError, ShapeMismatchError } from '../../errors/errors.js';
import { ownKernel } from './stock.js';

/** Most output elements the kernel allocates (1 GiB of float32). */
export const MAX_SEGMENT_SUM_ELEMENTS = 2 ** 28;

const unsortedSegmentSum: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const x = inputs.x as TensorInfo;
  const ids = inputs.segmentIds as TensorInfo;
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new InvalidArgumentError(`UnsortedSegmentSum numSegments must be a non-negative integer; found ${numSegments}.`);
  }
  if (ids.dtype !== 'int32') {
    throw new InvalidArgumentError(`UnsortedSegmentSum segmentIds must be int32; found ${ids.dtype}.`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new InvalidArgumentError(`UnsortedSegmentSum x must be float32 or int32; found ${x.dtype}.`);
  }
  // As in TensorFlow: segmentIds covers a leading part of x's shape; each id names the
  // output row its slice of x is added to.
  const lead = ids.shape.length;
  if (lead > x.shape.length || ids.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeMismatchError(
      `UnsortedSegmentSum segmentIds has shape [${ids.shape.join(', ')}]; expected a prefix of x's shape [${x.shape.join(', ')}].`,
    );
  }
  const rows = tf.util.sizeFromShape(ids.shape);
  const width = tf.util.sizeFromShape(x.shape.slice(lead));
  const outShape = [numSegments, ...x.shape.slice(lead)];
  if (numSegments * width > MAX_SEGMENT_SUM_ELEMENTS) {
    throw new InputTooLargeError(
      `UnsortedSegmentSum output [${outShape.join(', ')}] has ${numSegments * width} elements; the limit is ${MAX_SEGMENT_SUM_ELEMENTS}.`,
    );
  }
  const out = wasm.makeOutput(outShape, x.dtype);
  // Views after makeOutput: its malloc may grow the heap and detach older views.
  const o = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xv = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const iv = wasm.typedArrayFromHeap(ids) as Int32Array;
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = iv[r];
    // Ids outside [0, numSegments) are dropped, as TensorFlow drops negative ones.
    if (s < 0 || s >= numSegments) continue;
    const src = r * width;
    const dst = s * width;
    for (let j = 0; j < width; j++) o[dst + j] += xv[src + j];
  }
  return out;
};

/** Wasm `UnsortedSegmentSum`: the gradient of tf.gather (embeddings). */
export const unsortedSegmentSumConfig: KernelConfig = ownKernel({
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
});
