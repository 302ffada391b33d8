/**
 * @file Lab script (issue #18): a data-parallel step with the update split by weights, the two
 * threads meeting through a SharedArrayBuffer and Atomics instead of messages. Each thread runs
 * the half-batch gradient graph on its rows, hands the other the gradients of the weights the
 * other updates, runs the update graph of its half of the weights (averaging both halves'
 * gradients, then Adam), and hands back those new weights. A thread waiting spins a while
 * before it sleeps (Atomics.wait), so a hand-over inside a step does not wake a halted vCPU.
 * Times it against the whole batch-128 step graph on 1 thread, in interleaved blocks.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-sync.ts dense [spin]
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { initEngine, tf } from '@latentkit/core';
import type * as Ort from 'onnxruntime-node';
import { buildUpdateGraph } from '../../packages/core/src/ort/build.ts';
import { compileStepGraph } from '../../packages/core/src/ort/compile.ts';
import { planOptimizer } from '../../packages/core/src/ort/optimizer.ts';
import { createSession, loadOrt } from '../../packages/core/src/ort/runtime.ts';
import { MODELS, fakeImages, type BenchModel } from '../lib/engine-models.ts';

const name = (process.argv[2] ?? 'dense') as BenchModel;
const SPIN = Number(process.argv[3] ?? 20000);
await initEngine({ backend: 'ort' });
const ort = (await loadOrt()) as typeof Ort;
const samples = fakeImages(128);
const model = MODELS[name]();
const vars = model.variables();
const plan = planOptimizer(tf.train.adam(1e-3));
const ctx = { training: true, seed: 1, epoch: 0, batch: 0 };
const compile = (n: number, gradientsOnly: boolean) => {
  const batch = model.collate(samples.slice(0, n));
  const c = compileStepGraph(model, vars, batch, ctx, plan, undefined, { gradientsOnly });
  tf.dispose(Object.values(batch));
  return c;
};
const full = compile(128, false);
const half = compile(64, true);
const trainable = half.step.trainable;
const size = (i: number) => vars[i].size;
// Two sets of weights of about equal size (largest first, each to the lighter side).
const sideOf = new Map<number, 0 | 1>();
const load = [0, 0];
for (const i of [...trainable].sort((a, b) => size(b) - size(a))) {
  const s = load[0] <= load[1] ? 0 : 1;
  sideOf.set(i, s);
  load[s] += size(i);
}
const sets = [trainable.filter((i) => sideOf.get(i) === 0), trainable.filter((i) => sideOf.get(i) === 1)];
const updates = sets.map((set) => buildUpdateGraph(plan, set.map((index) => ({ index, shape: [...vars[index].shape] })), undefined).graph.toModel());
console.log(`weights ${trainable.length}, sides ${load.join(' / ')} floats`);

// Shared layout: [batch half for the worker][grads of side 1 from main][grads of side 0 from worker][weights of side 0 from main][weights of side 1 from worker][loss]
const halfSession = await createSession(ort, half.model, { intraOp: 1, spinning: false });
const batchInputs = halfSession.inputNames.filter((n) => !n.startsWith('w:') && !n.startsWith('f:'));
const batchDims = Object.fromEntries(halfSession.inputMetadata.map((m) => [m.name, (m as unknown as { shape: number[] }).shape]));
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
let off = 0;
const layout: Record<string, [number, number]> = {};
const place = (key: string, n: number) => {
  layout[key] = [off, n];
  off += n;
};
for (const b of batchInputs) place(`b:${b}`, prod(batchDims[b]));
for (const s of [0, 1]) for (const i of sets[s]) place(`g${s}:${i}`, size(i));
for (const s of [0, 1]) for (const i of sets[s]) place(`w${s}:${i}`, size(i));
place('loss', 1);
const sharedBuf = new SharedArrayBuffer(off * 4);
const ctlBuf = new SharedArrayBuffer(64);

// The same loop runs on both threads: `me` 0 is the main thread (rows [0, n/2), updates side 0).
const LOOP = String.raw`
async function makeSide(ort, p) {
  const { me, layout, sets, shapes, batchInputs, batchDims, spin } = p;
  const other = 1 - me;
  const shared = new Float32Array(p.shared);
  const ctl = new Int32Array(p.ctl);
  const opts = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: '0' } } } };
  const halfS = await ort.InferenceSession.create(p.half, opts);
  const upd = await ort.InferenceSession.create(p.update, opts);
  const prod = (s) => s.reduce((a, b) => a * b, 1);
  const view = (k) => shared.subarray(layout[k][0], layout[k][0] + layout[k][1]);
  const all = [...sets[0], ...sets[1]];
  const w = {}, g = {}, gb = {}, nxt = {}, slots = [{}, {}];
  for (const i of all) { w[i] = Float32Array.from({ length: prod(shapes[i]) }, (_, k) => Math.sin(i * 7 + k) * 0.05); g[i] = new Float32Array(prod(shapes[i])); }
  for (const i of sets[me]) { gb[i] = new Float32Array(prod(shapes[i])); nxt[i] = new Float32Array(prod(shapes[i])); for (const c of [0, 1]) slots[c][i] = [new Float32Array(prod(shapes[i])), new Float32Array(prod(shapes[i]))]; }
  const batch = {};
  for (const b of batchInputs) batch[b] = new Float32Array(prod(batchDims[b])).fill(0.3);
  const gOut = {};
  for (const i of all) gOut['g:' + i] = new ort.Tensor('float32', g[i], shapes[i]);
  const wait = (k, seq) => {
    let n = 0;
    for (;;) {
      const cur = Atomics.load(ctl, k);
      if (cur >= seq) return;
      if (++n > spin) Atomics.wait(ctl, k, cur, 50);
    }
  };
  const signal = (k, seq) => { Atomics.store(ctl, k, seq); Atomics.notify(ctl, k); };
  let cur = 0;
  const t = { half: 0, xg: 0, upd: 0, xw: 0, n: 0 };
  async function step(seq, timing) {
    const t0 = performance.now();
    const feeds = {};
    for (const b of batchInputs) {
      if (me === 0) view('b:' + b).set(batch[b]); else batch[b].set(view('b:' + b));
      feeds[b] = new ort.Tensor('float32', batch[b], batchDims[b]);
    }
    if (me === 0) signal(0, seq);
    for (const i of all) feeds['w:' + i] = new ort.Tensor('float32', w[i], shapes[i]);
    const out = await halfS.run(feeds, { loss: null, ...gOut });
    const t1 = performance.now();
    for (const i of sets[other]) view('g' + other + ':' + i).set(g[i]);
    if (me === 1) shared[layout.loss[0]] = out.loss.data[0];
    signal(1 + me, seq);
    wait(1 + other, seq);
    for (const i of sets[me]) gb[i].set(view('g' + me + ':' + i));
    const t2 = performance.now();
    const uf = { lr_t: new ort.Tensor('float32', new Float32Array([1e-3]), []), eps_t: new ort.Tensor('float32', new Float32Array([1e-7]), []) };
    const of = { gnorm: null };
    for (const i of sets[me]) {
      uf['w:' + i] = new ort.Tensor('float32', w[i], shapes[i]);
      uf['ga:' + i] = new ort.Tensor('float32', g[i], shapes[i]);
      uf['gb:' + i] = new ort.Tensor('float32', gb[i], shapes[i]);
      uf['s:m:' + i] = new ort.Tensor('float32', slots[cur][i][0], shapes[i]);
      uf['s:v:' + i] = new ort.Tensor('float32', slots[cur][i][1], shapes[i]);
      of['w:' + i + ':out'] = new ort.Tensor('float32', nxt[i], shapes[i]);
      of['s:m:' + i + ':out'] = new ort.Tensor('float32', slots[1 - cur][i][0], shapes[i]);
      of['s:v:' + i + ':out'] = new ort.Tensor('float32', slots[1 - cur][i][1], shapes[i]);
    }
    await upd.run(uf, of);
    cur = 1 - cur;
    const t3 = performance.now();
    for (const i of sets[me]) { const x = w[i]; w[i] = nxt[i]; nxt[i] = x; view('w' + me + ':' + i).set(w[i]); }
    signal(3 + me, seq);
    wait(3 + other, seq);
    for (const i of sets[other]) w[i].set(view('w' + other + ':' + i));
    const t4 = performance.now();
    if (timing) { t.half += t1 - t0; t.xg += t2 - t1; t.upd += t3 - t2; t.xw += t4 - t3; t.n++; }
    return out.loss.data[0];
  }
  return { step, t };
}
`;
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
${LOOP}
(async () => {
  const ort = await import(workerData.ortUrl);
  const side = await makeSide(ort, workerData);
  const ctl = new Int32Array(workerData.ctl);
  parentPort.postMessage('ready');
  let seq = 0;
  for (;;) {
    seq++;
    // Wait for the main thread's go (slot 0), spinning then sleeping.
    let n = 0;
    for (;;) { const c = Atomics.load(ctl, 0); if (c >= seq || Atomics.load(ctl, 15) === 1) break; if (++n > workerData.spin) Atomics.wait(ctl, 0, c, 50); }
    if (Atomics.load(ctl, 15) === 1) break;
    await side.step(seq, true);
  }
  parentPort.postMessage(side.t);
})();
`;
const shapes = Object.fromEntries(trainable.map((i) => [i, [...vars[i].shape]]));
const common = { layout, sets, shapes, batchInputs, batchDims, spin: SPIN, shared: sharedBuf, ctl: ctlBuf, half: half.model };
const ortUrl = import.meta.resolve('onnxruntime-node');
const worker = new Worker(WORKER, { eval: true, workerData: { ...common, me: 1, update: updates[1], ortUrl } });
await new Promise((r) => worker.once('message', r));
const makeSide = new Function(`${LOOP}; return makeSide;`)() as (o: typeof ort, p: object) => Promise<{ step: (seq: number, timing: boolean) => Promise<number>; t: Record<string, number> }>;
const mine = await makeSide(ort, { ...common, me: 0, update: updates[0] });

// The whole step on 1 thread, outputs pre-allocated and weights ping-ponged as the runner does.
const wholeS = await createSession(ort, full.model, { intraOp: 1, spinning: false });
const feeds: Record<string, Ort.Tensor> = {};
const outs: Record<string, Ort.Tensor | null> = { loss: null, gnorm: null };
for (const m of wholeS.inputMetadata) {
  const shape = (m as unknown as { shape: number[] }).shape;
  feeds[m.name] = new ort.Tensor('float32', new Float32Array(prod(shape)).fill(m.name.startsWith('lr') ? 1e-3 : 0.01), shape);
}
for (const m of wholeS.outputMetadata) {
  if (m.name.endsWith(':out')) outs[m.name] = new ort.Tensor('float32', new Float32Array(prod((m as unknown as { shape: number[] }).shape)), (m as unknown as { shape: number[] }).shape);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load0 = loadavg()[0];
let seq = 0;
const times = { whole: [] as number[], split: [] as number[] };
for (let round = 0; round < 8; round++) {
  let t0 = performance.now();
  for (let k = 0; k < 50; k++) await wholeS.run(feeds, outs as Ort.InferenceSession.FetchesType);
  if (round > 0) times.whole.push((performance.now() - t0) / 50);
  t0 = performance.now();
  for (let k = 0; k < 50; k++) await mine.step(++seq, round > 0);
  if (round > 0) times.split.push((performance.now() - t0) / 50);
}
const ctl = new Int32Array(ctlBuf);
Atomics.store(ctl, 15, 1);
Atomics.notify(ctl, 0);
const wt = (await new Promise((r) => worker.once('message', r))) as Record<string, number>;
const per = (t: Record<string, number>) => ['half', 'xg', 'upd', 'xw'].map((k) => `${k} ${(t[k] / t.n).toFixed(2)}`).join(', ');
console.log(`${name}: whole step 1 thread ${median(times.whole).toFixed(2)} ms; weight-split step ${median(times.split).toFixed(2)} ms: ${(median(times.whole) / median(times.split)).toFixed(2)}x (spin ${SPIN})`);
console.log(`  main ms/step: ${per(mine.t)}\n  worker ms/step: ${per(wt)}`);
console.log(`  rounds whole ${times.whole.map((t) => t.toFixed(2)).join(' ')}; split ${times.split.map((t) => t.toFixed(2)).join(' ')}`);
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
await worker.terminate();
model.dispose();
