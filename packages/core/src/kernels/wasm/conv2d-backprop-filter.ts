/**
 * @file `Conv2DBackpropFilter` for the wasm backend, which ships without it (so neither
 * conv2d nor conv2dTranspose layers can train there).
 *
 * The filter gradient is a correlation of the input with dy:
 *   dW[i, j, c, o] = sum_{n, y, x} xPad[n, y*s + i, x*s + j, c] * dy[n, y, x, o].
 * Read with c as the batch, n as the input channel and dy as the filter, that is a stride-1
 * conv2d of the transposed input with the transposed dy dilated by the stride, which the
 * stock XNNPACK Conv2D runs fast. On the conv-AE shapes it beat a Conv3DBackpropFilterV2
 * detour and an im2col + matmul by 1.4-40x.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { expectShape, trimNegativePads } from './conv-util.js';
import { ownKernel } from './stock.js';

/**
 * Computes the filter gradient of an NHWC conv2d from tf ops (see the file comment).
 *
 * @param x - the convolution's input, NHWC.
 * @param dy - the gradient of its output, NHWC.
 * @param attrs - strides, pad, dimRoundingMode and filterShape as tfjs passes them.
 * @returns dW with shape `filterShape`.
 * @throws {ShapeMismatchError} when dy's shape is not the conv output shape for x.
 * @example
 * ```ts
 * const dw = conv2dBackpropFilterNHWC(x, dy, { strides: 2, pad: 'same', filterShape: [3, 3, 1, 16] });
 * ```
 */
export function conv2dBackpropFilterNHWC(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'filterShape'>,
): tf.Tensor4D {
  const { filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  expectShape('Conv2DBackpropFilter dy', dy.shape, info.outShape);
  const [fh, fw] = filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  // Rows/columns of the padded input that any output position reads.
  const hNeed = (oh - 1) * sh + fh;
  const wNeed = (ow - 1) * sw + fw;
  const { top, left } = info.padInfo;
  return tf.tidy(() => {
    const trimmed = trimNegativePads(x, [top, hNeed - x.shape[1] - top, left, wNeed - x.shape[2] - left]);
    if (!trimmed || oh === 0 || ow === 0) return tf.zeros(filterShape);
    const xT = tf.transpose(trimmed.x, [3, 1, 2, 0]) as tf.Tensor4D; // [c, h, w, n]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, n, o]
    const r = tf.conv2d(xT, dyT, 1, trimmed.pad, 'NHWC', [sh, sw]); // [c, fh, fw, o]
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  const x = inputs.x as TensorInfo as tf.Tensor4D;
  const dy = inputs.dy as TensorInfo as tf.Tensor4D;
  if (a.dataFormat === 'NCHW') {
    // The filter layout does not depend on the data format; only x and dy move.
    return tf.tidy(() =>
      conv2dBackpropFilterNHWC(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(dy, [0, 2, 3, 1]), a),
    );
  }
  return conv2dBackpropFilterNHWC(x, dy, a);
};

/** Wasm `Conv2DBackpropFilter`: the weight gradient of conv2d and conv2dTranspose. */
export const conv2dBackpropFilterConfig: KernelConfig = ownKernel({
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
});
