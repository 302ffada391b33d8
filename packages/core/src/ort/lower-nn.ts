/**
 * @file Lowerings of the "nn" kernels: matrix products, convolutions (im2col + GEMM in NHWC,
 * see conv-gemm.ts), softmax, gathers, one-hot, segment sums and nearest upsampling.
 */
import * as tf from '@tensorflow/tfjs';
import { convGemm, convTransposeGemm, type ConvGeometry } from './conv-gemm.js';
import type { Graph } from './graph.js';
import { activation, axesOf, dtypeOf, type KernelCall, type Lowering } from './lower.js';
import { NotLowerableError } from './trace.js';

/**
 * a @ b for tfjs operands (2-D, or 3-D batched). When neither has a real batch (every dense
 * layer) it becomes one 2-D Gemm, whose transpose flags spare a Transpose.
 */
function matmul(g: Graph, a: string, b: string, ta: boolean, tb: boolean, bias?: string): string {
  const sa = g.shape(a);
  const sb = g.shape(b);
  const flat = (s: number[]) => s.length === 2 || (s.length === 3 && s[0] === 1);
  if (flat(sa) && flat(sb)) {
    const a2 = g.reshape(a, sa.slice(-2));
    const b2 = g.reshape(b, sb.slice(-2));
    const [sa2, sb2] = [g.shape(a2), g.shape(b2)];
    const m = ta ? sa2[1] : sa2[0];
    const n = tb ? sb2[0] : sb2[1];
    const inputs = [a2, b2];
    let fusedBias = false;
    if (bias !== undefined) {
      const bs = g.shape(bias);
      // Gemm's C broadcasts unidirectionally to [m, n]: a bias of [n] or [1, n] (or [m, n]).
      if (bs.length <= 2 && (bs.at(-1) === n || bs.length === 0) && (bs.length < 2 || bs[0] === 1 || bs[0] === m)) {
        inputs.push(bias);
        fusedBias = true;
      }
    }
    let y = g.node('Gemm', inputs, { shape: [m, n], dtype: 'float32' }, { transA: { i: ta ? 1 : 0 }, transB: { i: tb ? 1 : 0 } });
    if (bias !== undefined && !fusedBias) y = g.add(y, bias);
    return y; // the caller reshapes to the traced output shape
  }
  const swap = (x: string, t: boolean) => {
    if (!t) return x;
    const r = g.shape(x).length;
    return g.transpose(x, [...Array(r - 2).keys(), r - 1, r - 2]);
  };
  const y = g.matmul(swap(a, ta), swap(b, tb));
  return bias !== undefined ? g.add(y, bias) : y;
}

function convInfo(k: KernelCall, xShape: number[], filterShape: number[]): tf.backend_util.Conv2DInfo {
  const a = k.attrs as { strides: number | [number, number]; dilations?: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat?: string };
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new NotLowerableError(`${k.kernel} with dataFormat ${a.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pads: info.padInfo,
    ho: info.outHeight,
    wo: info.outWidth,
  };
}

/** NHWC input, [kh, kw, ci, co] filter -> NHWC output, as im2col + GEMM (see conv-gemm.ts). */
function conv2d(k: KernelCall, bias?: string): string {
  const g = k.g;
  const x = k.x('x');
  const f = k.x('filter');
  const b = bias !== undefined && g.shape(bias).length <= 1 ? bias : undefined;
  const y = convGemm(g, x, f, geometry(convInfo(k, g.shape(x), g.shape(f))), b);
  return bias !== undefined && b === undefined ? g.add(y, bias) : y;
}

const NN: Record<string, Lowering> = {
  BatchMatMul: (k) => k.g.reshape(matmul(k.g, k.x('a'), k.x('b'), !!k.attrs.transposeA, !!k.attrs.transposeB), k.out[0].shape),
  _FusedMatMul: (k) => {
    const y = k.g.reshape(matmul(k.g, k.x('a'), k.x('b'), !!k.attrs.transposeA, !!k.attrs.transposeB, k.has('bias') ? k.x('bias') : undefined), k.out[0].shape);
    return activation(k.g, y, k.attrs.activation, k.attrs.leakyreluAlpha, k.has('preluActivationWeights') ? k.x('preluActivationWeights') : undefined);
  },
  Conv2D: (k) => conv2d(k),
  FusedConv2D: (k) => {
    const y = conv2d(k, k.has('bias') ? k.x('bias') : undefined);
    return activation(k.g, y, k.attrs.activation, k.attrs.leakyreluAlpha, k.has('preluActivationWeights') ? k.x('preluActivationWeights') : undefined);
  },
  Conv2DBackpropInput: (k) => {
    // tfjs's conv2dTranspose: the input gradient of a conv whose input has `inputShape`.
    const g = k.g;
    const f = k.x('filter');
    const outShape = k.attrs.inputShape as number[];
    return convTransposeGemm(g, k.x('dy'), f, outShape, geometry(convInfo(k, outShape, g.shape(f))));
  },
  Softmax: (k) => {
    const x = k.x('logits');
    return k.g.unary('Softmax', x, { axis: { i: axesOf(k.attrs.dim ?? -1, k.g.shape(x).length)[0] } });
  },
  GatherV2: (k) => {
    if (k.attrs.batchDims) throw new NotLowerableError('GatherV2 with batchDims');
    const x = k.x('x');
    const axis = axesOf(k.attrs.axis ?? 0, k.g.shape(x).length)[0];
    return k.g.node('Gather', [x, k.x('indices')], { shape: k.out[0].shape, dtype: dtypeOf(k.out[0]) }, { axis: { i: axis } });
  },
  OneHot: (k) => {
    const g = k.g;
    const idx = k.x('indices');
    const depth = k.attrs.depth as number;
    const s = g.shape(idx);
    const eq = g.compare('Equal', g.reshape(idx, [...s, 1]), g.constant([...Array(depth).keys()], [depth], g.info(idx).dtype));
    const dtype = dtypeOf(k.out[0]);
    return g.where(eq, g.scalar(Number(k.attrs.onValue ?? 1), dtype), g.scalar(Number(k.attrs.offValue ?? 0), dtype));
  },
  UnsortedSegmentSum: (k) => {
    const g = k.g;
    const x = k.x('x');
    const ids = k.x('segmentIds');
    const idx = g.cast(g.reshape(ids, [...g.shape(ids), 1]), 'int64');
    const out = k.out[0];
    const zeros = g.filled(0, out.shape, dtypeOf(out));
    return g.node('ScatterND', [zeros, idx, x], { shape: out.shape, dtype: dtypeOf(out) }, { reduction: { s: 'add' } });
  },
  ResizeNearestNeighbor: (k) => {
    // Integer upscaling only: then every tfjs pixel-centre convention picks src = floor(dst / f),
    // which a broadcast (Expand) does exactly, and Expand's gradient is a sum.
    const g = k.g;
    const x = k.x('images');
    const [n, h, w, c] = g.shape(x);
    const [, oh, ow] = k.out[0].shape;
    if (k.attrs.alignCorners || oh % h || ow % w) throw new NotLowerableError('ResizeNearestNeighbor other than integer upscaling');
    const fh = oh / h;
    const fw = ow / w;
    const e = g.expand(g.reshape(x, [n, h, 1, w, 1, c]), [n, h, fh, w, fw, c]);
    return g.reshape(e, [n, oh, ow, c]);
  },
  MirrorPad: (k) => {
    if (k.attrs.mode !== 'reflect') throw new NotLowerableError(`MirrorPad mode ${String(k.attrs.mode)}`);
    const p = k.attrs.paddings as [number, number][];
    const x = k.x('x');
    return k.g.node('Pad', [x, k.g.ints([...p.map((q) => q[0]), ...p.map((q) => q[1])])], { shape: k.out[0].shape, dtype: 'float32' }, { mode: { s: 'reflect' } });
  },
};

export const NN_LOWERINGS = NN;
