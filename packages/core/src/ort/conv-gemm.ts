/**
 * @file 2-D convolutions as im2col + one GEMM, in tfjs's NHWC layout.
 *
 * Why not ONNX Conv: ORT's Conv is NCHW (a transpose on each side of every layer) and its
 * weight gradient has no efficient standard-op form: the conv-over-the-batch trick runs one
 * tiny GEMM per input channel (37% of a conv1d step in a profile). Lowered as patches (k*k
 * strided slices of the padded input, concatenated on channels) times the filter reshaped to
 * [kh*kw*ci, co], every heavy op of forward and backward is one large GEMM, differentiated by
 * the Gemm rule: dW = patches^T dY, dPatches = dY W^T, and the slices' rule scatters dPatches
 * back (col2im). tfjs's filter layout [kh, kw, ci, co] is already the GEMM's row order.
 * The prototype of issue #18 measured the same choice for conv1d: 3.0x wasm, ORT's Conv 2x.
 */
import type { Graph } from './graph.js';

/** Static geometry of one 2-D convolution (tfjs's Conv2DInfo, reduced to what matters). */
export interface ConvGeometry {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pads: { top: number; bottom: number; left: number; right: number };
  /** Output height and width. */
  ho: number;
  wo: number;
}

/** Where tap `i` of a kernel reads: phase plane `i*d mod s`, shifted by `floor(i*d / s)`. */
function tapPlace(i: number, d: number, s: number): { phase: number; shift: number } {
  return { phase: (i * d) % s, shift: Math.floor((i * d) / s) };
}

/**
 * Splits a padded NHWC image into its stride phases: plane [p][q] holds rows p, p+sh, ... and
 * columns q, q+sw, ... Taps then read plain (unstrided) windows of one plane. Built from
 * Reshape and Split, whose gradients are Reshape and one Concat, so the backward pass (col2im)
 * pads taps at the planes' low resolution instead of padding k*k full-size images.
 */
function toPhases(g: Graph, xp: string, sh: number, sw: number): string[][] {
  const [n, hp, wp, c] = g.shape(xp);
  const h2 = hp / sh;
  const w2 = wp / sw;
  const split = (x: string, axis: number, parts: number): string[] => {
    if (parts === 1) return [x];
    const s = g.shape(x);
    const out = { shape: s.map((d, i) => (i === axis ? 1 : d)), dtype: 'float32' as const };
    return g.nodeN('Split', [x, g.ints(Array(parts).fill(1))], Array(parts).fill(out), { axis: { i: axis } });
  };
  const r = g.reshape(xp, [n, h2, sh, w2, sw, c]);
  return split(r, 2, sh).map((row) => split(row, 4, sw).map((plane) => g.reshape(plane, [n, h2, w2, c])));
}

/** The inverse of {@link toPhases}: interleaves planes [p][q] into one image. */
function fromPhases(g: Graph, planes: string[][]): string {
  const sh = planes.length;
  const sw = planes[0].length;
  const [n, h2, w2, c] = g.shape(planes[0][0]);
  const rows = planes.map((row) => g.concat(row.map((p) => g.reshape(p, [n, h2, 1, w2, 1, c])), 4));
  return g.reshape(g.concat(rows, 2), [n, h2 * sh, w2 * sw, c]);
}

/** Pads so that each padded side is a whole number of strides. */
function padForPhases(size: number, before: number, after: number, s: number): number {
  return after + ((s - ((size + before + after) % s)) % s);
}

/**
 * When im2col is one Gather instead of phase slices + Concat; module state so the lab script
 * bench/conv-lowering/ab.ts can A/B both in one process.
 */
export const im2colChoice: { gather: (c: number) => boolean } = { gather: (c) => c >= 8 };

/**
 * Source pixel (row-major in [h, w]) of every (output pixel, tap), or `h*w` (a zero row
 * appended to the input) where the tap reads padding; in the GEMM's patch order.
 */
function patchIndex(h: number, w: number, geo: ConvGeometry): number[] {
  const { kh, kw, sh, sw, dh, dw, pads, ho, wo } = geo;
  const idx: number[] = [];
  for (let oy = 0; oy < ho; oy++) {
    for (let ox = 0; ox < wo; ox++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const y = oy * sh + i * dh - pads.top;
          const x = ox * sw + j * dw - pads.left;
          idx.push(y >= 0 && y < h && x >= 0 && x < w ? y * w + x : h * w);
        }
      }
    }
  }
  return idx;
}

/**
 * im2col as one Gather of `[n, h*w + 1, c]` (the input and a zero row). Its gradient is
 * {@link col2im}, given as the node's custom gradient straight to `x`: the generic Gather rule
 * would scatter, and a gather-shaped adjoint measured slower (bench/conv-lowering/NOTES.md).
 */
function im2colGather(g: Graph, x: string, geo: ConvGeometry): string {
  const [n, h, w, c] = g.shape(x);
  const idx = patchIndex(h, w, geo);
  const src = g.pad(g.reshape(x, [n, h * w, c]), [0, 0, 0], [0, 1, 0]);
  const out = g.node('Gather', [src, g.constant(idx, [idx.length], 'int64')], { shape: [n, idx.length, c], dtype: 'float32' }, { axis: { i: 1 } });
  const node = g.nodes[g.nodes.length - 1];
  const k = geo.kh * geo.kw * c;
  node.gradInputs = [x];
  node.customGrad = (gg, _n, [dy]) => [col2im(gg, gg.reshape(dy!, [n, geo.ho, geo.wo, k]), [n, h, w, c], geo)];
  return g.reshape(out, [n, geo.ho, geo.wo, k]);
}

/** Patches `[n, ho, wo, kh*kw*c]` of an NHWC input (taps in (row, column) order). */
export function im2col(g: Graph, x: string, geo: ConvGeometry): string {
  const { kh, kw, sh, sw, dh, dw, pads, ho, wo } = geo;
  const [, h, w] = g.shape(x);
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && pads.top + pads.bottom + pads.left + pads.right === 0) return x;
  if (im2colChoice.gather(g.shape(x)[3])) return im2colGather(g, x, geo);
  const bottom = padForPhases(h, pads.top, pads.bottom, sh);
  const right = padForPhases(w, pads.left, pads.right, sw);
  const planes = toPhases(g, g.pad(x, [0, pads.top, pads.left, 0], [0, bottom, right, 0]), sh, sw);
  const taps: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const r = tapPlace(i, dh, sh);
      const q = tapPlace(j, dw, sw);
      taps.push(g.slice(planes[r.phase][q.phase], [r.shift, q.shift], [r.shift + ho, q.shift + wo], [1, 2]));
    }
  }
  return g.concat(taps, 3);
}

/**
 * The adjoint of {@link im2col}: sums patches `[n, ho, wo, kh*kw*c]` back onto an NHWC image
 * of `[n, h, w, c]` (a transposed convolution's output): each tap is padded into its phase
 * plane at low resolution, planes are summed and interleaved once.
 */
export function col2im(g: Graph, cols: string, outShape: number[], geo: ConvGeometry): string {
  const [n, h, w, c] = outShape;
  const { kh, kw, sh, sw, dh, dw, pads } = geo;
  const hp = h + pads.top + padForPhases(h, pads.top, pads.bottom, sh);
  const wp = w + pads.left + padForPhases(w, pads.left, pads.right, sw);
  const [h2, w2] = [hp / sh, wp / sw];
  const [, ho, wo] = g.shape(cols);
  const taps = kh * kw === 1 ? [cols] : g.nodeN('Split', [cols, g.ints(Array(kh * kw).fill(c))], Array(kh * kw).fill({ shape: [n, ho, wo, c], dtype: 'float32' }), { axis: { i: 3 } });
  const parts: string[][][] = Array.from({ length: sh }, () => Array.from({ length: sw }, () => []));
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const r = tapPlace(i, dh, sh);
      const q = tapPlace(j, dw, sw);
      parts[r.phase][q.phase].push(g.pad(taps[i * kw + j], [0, r.shift, q.shift, 0], [0, h2 - r.shift - ho, w2 - q.shift - wo, 0]));
    }
  }
  const planes = parts.map((row) =>
    row.map((list) => {
      if (list.length === 0) return g.filled(0, [n, h2, w2, c]);
      return list.length === 1 ? list[0] : g.node('Sum', list, { shape: [n, h2, w2, c], dtype: 'float32' });
    }),
  );
  return g.slice(fromPhases(g, planes), [pads.top, pads.left], [pads.top + h, pads.left + w], [1, 2]);
}

/** NHWC conv: im2col, then `[n*ho*wo, K] x [K, co]` (+ bias fused into the Gemm). */
export function convGemm(g: Graph, x: string, filter: string, geo: ConvGeometry, bias?: string): string {
  const [n] = g.shape(x);
  const [kh, kw, ci, co] = g.shape(filter);
  const k = kh * kw * ci;
  const p = g.reshape(im2col(g, x, geo), [n * geo.ho * geo.wo, k]);
  const wm = g.reshape(filter, [k, co]);
  const inputs = [p, wm];
  if (bias !== undefined) inputs.push(bias);
  const y = g.node('Gemm', inputs, { shape: [n * geo.ho * geo.wo, co], dtype: 'float32' });
  return g.reshape(y, [n, geo.ho, geo.wo, co]);
}

/**
 * NHWC transposed conv (tfjs Conv2DBackpropInput): `x` [n, ho, wo, cx] times the filter
 * [kh, kw, cout, cx] transposed gives patches, which col2im sums onto [n, h, w, cout].
 */
export function convTransposeGemm(g: Graph, x: string, filter: string, outShape: number[], geo: ConvGeometry): string {
  const [n, ho, wo, cx] = g.shape(x);
  const [kh, kw, cout] = g.shape(filter);
  const k = kh * kw * cout;
  const cols = g.reshape(g.node('Gemm', [g.reshape(x, [n * ho * wo, cx]), g.reshape(filter, [k, cx])], { shape: [n * ho * wo, k], dtype: 'float32' }, { transB: { i: 1 } }), [n, ho, wo, k]);
  const y = col2im(g, cols, outShape, geo);
  // col2im's adjoint is im2col, given straight to the patches: op by op it would be the
  // phase form (Pad, Splits, a Slice per tap, a Concat), and for >= 8 channels the one Gather
  // of im2col is faster (bench/conv-lowering/NOTES.md).
  const last = g.nodes[g.nodes.length - 1];
  if (y !== cols && last.outputs[0] === y) {
    last.gradInputs = [cols];
    last.customGrad = (gg, _n, [dy]) => [im2col(gg, dy!, geo)];
  }
  return y;
}
