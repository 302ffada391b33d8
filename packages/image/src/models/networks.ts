/**
 * @file The tfjs layers the image models are made of: a conv encoder body (stride-2 stages
 * then dense layers) and its mirror, a conv-transpose decoder ending in a sigmoid. Built-in
 * layers only, with deterministic names and seeded initialisers, so saved folders load in
 * plain tfjs and two models built from one config start out identical.
 */
import { tf } from '@latentkit/core';
import type { ImageActivation, ImageShape } from './image-autoencoder.js';

/** The parts of a config that shape a conv encoder/decoder pair. */
export interface ConvSpec {
  inputShape: ImageShape;
  /** Filters of each stride-2 conv stage, input side first. */
  filters: number[];
  kernelSize: number;
  /** Dense widths between the last conv stage and the code. */
  hidden: number[];
  activation: ImageActivation;
  seed: number;
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

/** `[height, width]` after each stride-2 'same' stage: ceil(size / 2) per stage. @internal */
export function stageSizes(inputShape: ImageShape, stages: number): [number, number][] {
  const sizes: [number, number][] = [[inputShape[0], inputShape[1]]];
  for (let i = 0; i < stages; i++) {
    const [h, w] = sizes[sizes.length - 1];
    sizes.push([Math.ceil(h / 2), Math.ceil(w / 2)]);
  }
  return sizes;
}

/** Applies dense layers in order. */
function denseLayers(h: tf.SymbolicTensor, widths: number[], activation: ImageActivation, name: string, seed: number): tf.SymbolicTensor {
  widths.forEach((units, i) => {
    h = tf.layers.dense({ units, activation, name: `${name}${i + 1}`, kernelInitializer: init(seed + i) }).apply(h) as tf.SymbolicTensor;
  });
  return h;
}

/**
 * The conv encoder up to (not including) the code layer: stride-2 convs, flatten, dense.
 * @internal
 */
export function convEncoderBody(input: tf.SymbolicTensor, spec: ConvSpec): tf.SymbolicTensor {
  let h = input;
  spec.filters.forEach((filters, i) => {
    h = tf.layers
      .conv2d({
        filters,
        kernelSize: spec.kernelSize,
        strides: 2,
        padding: 'same',
        activation: spec.activation,
        name: `encoder_conv${i + 1}`,
        kernelInitializer: init(spec.seed + 10 + i),
      })
      .apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: 'encoder_flatten' }).apply(h) as tf.SymbolicTensor;
  return denseLayers(h, spec.hidden, spec.activation, 'encoder_dense', spec.seed + 30);
}

/**
 * The mirrored decoder: dense layers up to the last stage's feature map, stride-2 transposed
 * convs back to the input size (cropping the overshoot of odd sizes), sigmoid output.
 * @internal
 */
export function convDecoder(latentDim: number, spec: ConvSpec): tf.LayersModel {
  const [height, width, channels] = spec.inputShape;
  const n = spec.filters.length;
  const sizes = stageSizes(spec.inputShape, n);
  const [hl, wl] = sizes[n];
  const seed = spec.seed + 1000;
  const zin = tf.input({ shape: [latentDim], name: 'decoder_input' });
  let h = denseLayers(zin, [...spec.hidden].reverse(), spec.activation, 'decoder_dense', seed);
  h = tf.layers
    .dense({ units: hl * wl * spec.filters[n - 1], activation: spec.activation, name: 'decoder_project', kernelInitializer: init(seed + 20) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [hl, wl, spec.filters[n - 1]], name: 'decoder_reshape' }).apply(h) as tf.SymbolicTensor;
  for (let i = n - 1; i >= 0; i--) {
    const last = i === 0;
    h = tf.layers
      .conv2dTranspose({
        filters: last ? channels : spec.filters[i - 1],
        kernelSize: spec.kernelSize,
        strides: 2,
        padding: 'same',
        activation: last ? 'sigmoid' : spec.activation,
        name: last ? 'decoder_output' : `decoder_deconv${n - i}`,
        kernelInitializer: init(seed + 40 + i),
      })
      .apply(h) as tf.SymbolicTensor;
  }
  const dh = hl * 2 ** n - height;
  const dw = wl * 2 ** n - width;
  if (dh > 0 || dw > 0) {
    const top = Math.floor(dh / 2);
    const left = Math.floor(dw / 2);
    h = tf.layers.cropping2D({ cropping: [[top, dh - top], [left, dw - left]], name: 'decoder_crop' }).apply(h) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: zin, outputs: h, name: 'decoder' });
}

/**
 * A dense encoder: flatten, dense layers, linear code.
 * @internal
 */
export function denseEncoder(inputShape: ImageShape, hidden: number[], latentDim: number, activation: ImageActivation, seed: number): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: 'encoder_input' });
  let h = tf.layers.flatten({ name: 'encoder_flatten' }).apply(input) as tf.SymbolicTensor;
  h = denseLayers(h, hidden, activation, 'encoder_dense', seed);
  const code = tf.layers.dense({ units: latentDim, name: 'encoder_code', kernelInitializer: init(seed + 100) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: code, name: 'encoder' });
}

/**
 * A dense decoder: dense layers, sigmoid pixels, reshaped to the image.
 * @internal
 */
export function denseDecoder(inputShape: ImageShape, hidden: number[], latentDim: number, activation: ImageActivation, seed: number): tf.LayersModel {
  const zin = tf.input({ shape: [latentDim], name: 'decoder_input' });
  let h = denseLayers(zin, [...hidden].reverse(), activation, 'decoder_dense', seed + 1000);
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  h = tf.layers.dense({ units: size, activation: 'sigmoid', name: 'decoder_pixels', kernelInitializer: init(seed + 1100) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: inputShape, name: 'decoder_output' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: zin, outputs: h, name: 'decoder' });
}
