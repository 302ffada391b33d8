/**
 * @file `Conv2DBackpropInput` for the wasm backend (the input gradient of conv2d, and the
 * forward pass of conv2dTranspose).
 *
 * The stock kernel is a direct loop costing ~inChannels * outChannels * fh * fw / stride^2
 * per output pixel. Spreading dy out with zeros between its pixels and running a stride-1
 * XNNPACK conv2d with the flipped filter does stride^2 times more multiply-adds, ~10x
 * faster each, so it wins once dx has enough channels for the stride: 14x14x16 from 7x7x32
 * at batch 128 goes from 22 ms to 8 ms. With one or two dx channels (the decoder's last
 * 28x28x1 layer) or strides of 4 and more, the stock kernel stays faster and keeps them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { expectShape, trimNegativePads } from './conv-util.js';
import { ownKernel, stockKernel, stockSetup } from './stock.js';

/**
 * Whether the composed kernel is expected to beat the stock one: measured on batch 64-128,
 * 14-28 pixels, 3x3 and 5x5 filters, it won for inChannels >= 2 at stride 1, >= 4 at
 * stride 2 and >= 9-16 at stride 3, and tied or lost at stride 4.
 *
 * @param inChannels - channels of dx (filter.shape[2]).
 * @param strideHeight - vertical stride.
 * @param strideWidth - horizontal stride.
 * @returns true where the composition should run.
 * @example
 * ```ts
 * prefersComposedBackpropInput(16, 2, 2); // true
 * prefersComposedBackpropInput(1, 2, 2); // false: the stock kernel is faster
 * ```
 */
export function prefersComposedBackpropInput(inChannels: number, strideHeight: number, strideWidth: number): boolean {
  const area = strideHeight * strideWidth;
  return area <= 9 && inChannels >= Math.max(2, area);
}

/**
 * Computes dx of an NHWC conv2d (equivalently, conv2dTranspose of dy) from tf ops: zero
 * insertion by the stride, then a stride-1 conv2d with the spatially flipped filter whose
 * in/out channels are swapped.
 *
 * @param dy - gradient of the conv output, NHWC `[n, oh, ow, outChannels]`.
 * @param filter - `[fh, fw, inChannels, outChannels]`.
 * @param attrs - strides, pad, dimRoundingMode and inputShape as tfjs passes them.
 * @returns dx with shape `inputShape`.
 * @throws {ShapeMismatchError} when dy's shape is not the conv output shape for inputShape.
 * @example
 * ```ts
 * const dx = conv2dBackpropInputNHWC(dy, w, { strides: 2, pad: 'same', inputShape: [128, 14, 14, 16] });
 * ```
 */
export function conv2dBackpropInputNHWC(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: Pick<Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'inputShape'>,
): tf.Tensor4D {
  const { inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  expectShape('Conv2DBackpropInput dy', dy.shape, info.outShape);
  const [n, oh, ow, oc] = dy.shape;
  const [fh, fw] = filter.shape;
  const [, h, w] = inputShape;
  const { strideHeight: sh, strideWidth: sw } = info;
  return tf.tidy(() => {
    // dy[y] lands at row y*sh of the spread-out grid (trailing zeros included, trimmed below).
    const up =
      sh === 1 && sw === 1
        ? dy
        : (tf
            .pad(dy.reshape([n, oh, 1, ow, 1, oc]), [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ])
            .reshape([n, oh * sh, ow * sw, oc]) as tf.Tensor4D);
    // dx[i] = sum_k up[i + top - k] w[k]: a correlation with the flipped filter once up is
    // shifted by fh - 1 - top and cut or padded to h + fh - 1 rows.
    const padTop = fh - 1 - info.padInfo.top;
    const padLeft = fw - 1 - info.padInfo.left;
    const trimmed = trimNegativePads(up, [
      padTop,
      h + fh - 1 - oh * sh - padTop,
      padLeft,
      w + fw - 1 - ow * sw - padLeft,
    ]);
    if (!trimmed) return tf.zeros(inputShape);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(trimmed.x, flipped, 1, trimmed.pad);
  });
}

const conv2dBackpropInput: KernelFunc = (args) => {
  const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const filter = args.inputs.filter as TensorInfo as tf.Tensor4D;
  const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  if (a.dataFormat === 'NCHW' || !prefersComposedBackpropInput(filter.shape[2], sh, sw)) {
    return stockKernel(tf.Conv2DBackpropInput).kernelFunc(args);
  }
  return conv2dBackpropInputNHWC(args.inputs.dy as TensorInfo as tf.Tensor4D, filter, a);
};

/** Wasm `Conv2DBackpropInput`: composed where that is faster, stock elsewhere. */
export const conv2dBackpropInputConfig: KernelConfig = ownKernel({
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.Conv2DBackpropInput),
  kernelFunc: conv2dBackpropInput,
});
