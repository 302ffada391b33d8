/**
 * @file Lab script (issue #18): ORT's profiler on the bench conv AE's four conv layers (conv
 * 28->14x16, conv 14->7x32, convT 7->14x16, convT 14->28x1; 3x3 stride 2 'same', relu between,
 * batch 128), forward and weight gradients, as lowered by conv-gemm.ts, 1 thread. Prints the
 * kernel time per run by op type and the heaviest nodes with their input shapes, and the load
 * average: a quick check of where the im2col/col2im data movement goes before and after a
 * change to the lowering.
 *
 *   npx tsx --conditions=source bench/conv-lowering/profile.ts [runs]
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { convGemm, convTransposeGemm, type ConvGeometry } from '../../packages/core/src/ort/conv-gemm.ts';
import { addGradients } from '../../packages/core/src/ort/grad.ts';
import { Graph } from '../../packages/core/src/ort/graph.ts';
import { loadOrt } from '../../packages/core/src/ort/runtime.ts';

const runs = Number(process.argv[2] ?? 30);
const n = 128;
/** 3x3 stride 2 'same' on an even input: tfjs pads 0 before and 1 after. */
const s2 = (out: number): ConvGeometry => ({ kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pads: { top: 0, bottom: 1, left: 0, right: 1 }, ho: out, wo: out });
const shapes: Record<string, number[]> = { x: [n, 28, 28, 1], w1: [3, 3, 1, 16], w2: [3, 3, 16, 32], w3: [3, 3, 16, 32], w4: [3, 3, 1, 16] };

function build(): Uint8Array {
  const g = new Graph();
  const x = g.input('x', shapes.x);
  const ws = ['w1', 'w2', 'w3', 'w4'].map((k) => g.input(k, shapes[k]));
  let h = g.unary('Relu', convGemm(g, x, ws[0], s2(14)));
  h = g.unary('Relu', convGemm(g, h, ws[1], s2(7)));
  h = g.unary('Relu', convTransposeGemm(g, h, ws[2], [n, 14, 14, 16], s2(7)));
  const y = convTransposeGemm(g, h, ws[3], [n, 28, 28, 1], s2(14));
  const loss = g.reduce('ReduceSum', g.mul(y, y), [0, 1, 2, 3], false);
  g.output(loss);
  addGradients(g, loss, ws).forEach((d) => g.output(d!));
  return g.toModel();
}

const ort = await loadOrt();
if (typeof ort === 'string') throw new Error(ort);
const prefix = join(tmpdir(), `latentkit-conv-profile-${process.pid}`);
const options = { intraOpNumThreads: 1, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const session = await ort.InferenceSession.create(build(), options as Ort.InferenceSession.SessionOptions);
const rnd = (shape: number[]) => new ort.Tensor('float32', Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.3) * 0.5), shape);
const feeds = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, rnd(s)]));
console.log(`load at start: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const t0 = performance.now();
for (let i = 0; i < runs; i++) await session.run(feeds);
console.log(`wall ${((performance.now() - t0) / runs).toFixed(2)} ms/run (profiling on)`);
// onnxruntime-node's endProfiling returns nothing: the file is `<prefix>_<date>.json`.
session.endProfiling();
const base = prefix.split('/').at(-1)!;
const file = join(tmpdir(), readdirSync(tmpdir()).find((f) => f.startsWith(base) && f.endsWith('.json'))!);
interface Event { cat?: string; name: string; dur: number; args: { op_name: string; input_type_shape?: Record<string, number[]>[] } }
const events = (JSON.parse(readFileSync(file, 'utf8')) as Event[]).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
rmSync(file, { force: true });
const byOp = new Map<string, number>();
const byNode = new Map<string, { us: number; what: string }>();
for (const e of events) {
  byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
  const shapesIn = (e.args.input_type_shape ?? []).slice(0, 2).map((s) => `[${Object.values(s)[0]}]`).join(' ');
  const node = byNode.get(e.name) ?? { us: 0, what: `${e.args.op_name} ${shapesIn}` };
  node.us += e.dur;
  byNode.set(e.name, node);
}
const total = [...byOp.values()].reduce((a, b) => a + b, 0);
console.log(`kernel time ${(total / runs / 1000).toFixed(2)} ms/run`);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${op.padEnd(10)} ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / runs / 1000).toFixed(2)} ms`);
for (const [name, v] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, 8)) console.log(`  ${name.replace('_kernel_time', '').padEnd(12)} ${(v.us / runs / 1000).toFixed(2)} ms  ${v.what}`);
console.log(`load at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
