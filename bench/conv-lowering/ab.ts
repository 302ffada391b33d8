/**
 * @file Lab script (issue #18): interleaved A/B of the two im2col forms of conv-gemm.ts on the
 * bench conv AE's conv layers (batch 128, 1 ORT thread, no spinning), forward + gradients:
 * "old" = phase slices + Concat everywhere, "new" = the default choice (one Gather where the
 * input has >= 8 channels). Runs alternate in chunks of 8 so both see the same load; prints the
 * median ms per run of each and the load average.
 *
 *   npx tsx --conditions=source bench/conv-lowering/ab.ts
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { convGemm, convTransposeGemm, im2colChoice, type ConvGeometry } from '../../packages/core/src/ort/conv-gemm.ts';
import { addGradients } from '../../packages/core/src/ort/grad.ts';
import { Graph } from '../../packages/core/src/ort/graph.ts';
import { createSession, loadOrt } from '../../packages/core/src/ort/runtime.ts';
const n = 128;
const s2 = (out: number): ConvGeometry => ({ kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pads: { top: 0, bottom: 1, left: 0, right: 1 }, ho: out, wo: out });
type L = { name: string; x: number[]; w: number[]; wrtX: boolean; f?: (g: Graph, x: string, w: string) => string };
const layers: L[] = [
  { name: 'all 4 layers + relu', x: [n, 28, 28, 1], w: [1], wrtX: false, f: undefined },
  { name: 'conv1 28->14x16 (no dx)', x: [n, 28, 28, 1], w: [3, 3, 1, 16], wrtX: false, f: (g, x, w) => convGemm(g, x, w, s2(14)) },
  { name: 'conv2 14x16->7x32', x: [n, 14, 14, 16], w: [3, 3, 16, 32], wrtX: true, f: (g, x, w) => convGemm(g, x, w, s2(7)) },
  { name: 'convT3 7x32->14x16', x: [n, 7, 7, 32], w: [3, 3, 16, 32], wrtX: true, f: (g, x, w) => convTransposeGemm(g, x, w, [n, 14, 14, 16], s2(7)) },
  { name: 'convT4 14x16->28x1', x: [n, 14, 14, 16], w: [3, 3, 1, 16], wrtX: true, f: (g, x, w) => convTransposeGemm(g, x, w, [n, 28, 28, 1], s2(14)) },
];
const byDefault = im2colChoice.gather;
const ort = await loadOrt();
if (typeof ort === 'string') throw new Error(ort);
const rnd = (shape: number[]) => new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.3) * 0.5), shape);
console.log(`load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
for (const l of layers) {
  const s: Record<string, Ort.InferenceSession> = {};
  for (const mode of ['phases', 'gather'] as const) {
    im2colChoice.gather = mode === 'phases' ? () => false : byDefault;
    const g = new Graph();
    const x = g.input('x', l.x); const w = g.input('w', l.w);
    let y: string;
    const extra: string[] = [];
    if (l.f) y = l.f(g, x, w);
    else {
      const ws = [g.input('w1', [3, 3, 1, 16]), g.input('w2', [3, 3, 16, 32]), g.input('w3', [3, 3, 16, 32]), g.input('w4', [3, 3, 1, 16])];
      extra.push(...ws);
      let h = g.unary('Relu', convGemm(g, x, ws[0], s2(14)));
      h = g.unary('Relu', convGemm(g, h, ws[1], s2(7)));
      h = g.unary('Relu', convTransposeGemm(g, h, ws[2], [n, 14, 14, 16], s2(7)));
      y = g.add(convTransposeGemm(g, h, ws[3], [n, 28, 28, 1], s2(14)), w);
    }
    const loss = g.reduce('ReduceSum', g.mul(y, y), g.shape(y).map((_, i) => i), false);
    g.output(loss);
    addGradients(g, loss, l.wrtX ? [x, w] : [w, ...extra]).forEach((d) => g.output(d!));
    s[mode] = await createSession(ort, g.toModel(), { intraOp: 1, spinning: false });
  }
  const feeds: Record<string, Ort.Tensor> = { x: rnd(l.x), w: rnd(l.w) };
  if (!l.f) Object.assign(feeds, { w1: rnd([3, 3, 1, 16]), w2: rnd([3, 3, 16, 32]), w3: rnd([3, 3, 16, 32]), w4: rnd([3, 3, 1, 16]) });
  const t: Record<string, number[]> = { phases: [], gather: [] };
  for (let c = 0; c < 16; c++) for (const mode of c % 2 ? ['gather', 'phases'] : ['phases', 'gather']) for (let i = 0; i < 8; i++) { const t0 = performance.now(); await s[mode].run(feeds); t[mode].push(performance.now() - t0); }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${l.name}: old ${med(t.phases).toFixed(2)} ms, new ${med(t.gather).toFixed(2)} ms, speed-up ${(med(t.phases) / med(t.gather)).toFixed(2)}`);
}
console.log(`load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
