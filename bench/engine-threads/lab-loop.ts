/**
 * @file Lab script (issue #18, session 8): one training step per `InferenceSession.run` against
 * k steps in one run of the multi-step (Loop) graph, on a bench reference AE's compiled step
 * (Adam, batch 128, one batch repeated), both on one thread with the engine's session options.
 * Checks first that k steps agree to the bit (losses, weights, moments), then times blocks of
 * 64 steps, interleaved, 9 rounds. Runs here get fresh outputs (no preallocated fetches): the
 * binding copies every output either way.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-loop.ts <dense|conv|sequence> [k] [threads]
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { buildMultiStepModel, stackedFeeds } from '../../packages/core/src/ort/multi-step.ts';
import { scalarValues } from '../../packages/core/src/ort/optimizer.ts';
import { createSession } from '../../packages/core/src/ort/runtime.ts';
import { type BenchModel } from '../lib/engine-models.ts';
import { labStep, median, type LabState } from './lab-setup.ts';

const name = (process.argv[2] ?? 'dense') as BenchModel;
const k = Number(process.argv[3] ?? 8);
const threads = Number(process.argv[4] ?? 1);
const { ort, plan, batch, ctx, c, io, start, batchFeed } = await labStep(name, 128);
const single = await createSession(ort, c.model, { intraOp: threads, spinning: false });
const loop = await createSession(ort, buildMultiStepModel(c.step), { intraOp: threads, spinning: false });
type State = LabState;

async function singles(state: State, n: number, losses: number[]): Promise<State> {
  for (let j = 0; j < n; j++) {
    const feeds: State = { ...state, 'b:x': batchFeed };
    for (const [s, v] of Object.entries(scalarValues(plan, 1e-3, j))) feeds[s] = new ort.Tensor('float32', Float32Array.of(v), []);
    const out = await single.run(feeds);
    losses.push((out.loss.data as Float32Array)[0]);
    state = Object.fromEntries(io.carried.map((x) => [x, out[`${x}:out`] as Ort.Tensor]));
  }
  return state;
}
const items = Array.from({ length: k }, () => ({ batch, ctx, rate: 1e-3 }));
async function loops(state: State, runs: number, losses: number[]): Promise<State> {
  for (let r = 0; r < runs; r++) {
    const out = await loop.run({ ...(await stackedFeeds(ort, c.step, items, plan, 0, new Map())), ...state });
    losses.push(...(out.loss.data as Float32Array));
    state = Object.fromEntries(io.carried.map((x) => [x, out[`${x}:out`] as Ort.Tensor]));
  }
  return state;
}
const [a, b]: number[][] = [[], []];
const [sa, sb] = [await singles(start, k, a), await loops(start, 1, b)];
const same = a.every((v, i) => v === b[i]) && io.carried.every((n) => (sa[n].data as Float32Array).every((v, i) => v === (sb[n].data as Float32Array)[i]));
console.log(`${name}: ${k} steps one by one and in one run agree to the bit: ${same}`);
const [ts, tl]: number[][] = [[], []];
const n = Math.ceil(64 / k) * k;
let [s1, s2] = [start, start];
for (let round = 0; round < 9; round++) {
  let t = performance.now();
  s1 = await singles(s1, n, []);
  ts.push((performance.now() - t) / n);
  t = performance.now();
  s2 = await loops(s2, n / k, []);
  tl.push((performance.now() - t) / n);
}
const f = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
console.log(`${name}, ${threads} thread(s): one step per run ${median(ts).toFixed(2)} ms/step (${f(ts)}); ${k} per run ${median(tl).toFixed(2)} ms/step (${f(tl)}); ${(median(ts) / median(tl)).toFixed(2)}x; load ${loadavg()[0].toFixed(2)}`);
