/**
 * @file Lab script (issue #18, session 9): one bench reference AE's multi-step graph (runs of k
 * steps, batch B, Adam) under several session settings, interleaved, 7 rounds: sequential on
 * 1 / 2 sleeping / 2 spinning intra-op threads, and onnxruntime's parallel executor (2 inter-op
 * threads, with 1 or 2 intra-op). Asked whether any setting gives the conv AE a second core.
 *
 *   B=128 npx tsx --conditions=source bench/engine-threads/lab-exec.ts <dense|conv|sequence> [k] [settings,...]
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { buildMultiStepModel, stackedFeeds } from '../../packages/core/src/ort/multi-step.ts';
import { sessionOptions } from '../../packages/core/src/ort/runtime.ts';
import { type BenchModel } from '../lib/engine-models.ts';
import { labStep, median, type LabState } from './lab-setup.ts';

const name = (process.argv[2] ?? 'conv') as BenchModel;
const k = Number(process.argv[3] ?? 8);
const { ort, plan, batch, ctx, c, io, start } = await labStep(name, Number(process.env.B ?? 128));
const bytes = buildMultiStepModel(c.step);
const variants: Record<string, Ort.InferenceSession.SessionOptions> = {
  seq1: sessionOptions({ intraOp: 1, spinning: false }),
  seq2: sessionOptions({ intraOp: 2, spinning: false }),
  seq2spin: sessionOptions({ intraOp: 2, spinning: true }),
  par2: { ...sessionOptions({ intraOp: 1, spinning: false }), executionMode: 'parallel', interOpNumThreads: 2 } as Ort.InferenceSession.SessionOptions,
  par2i2: { ...sessionOptions({ intraOp: 2, spinning: false }), executionMode: 'parallel', interOpNumThreads: 2 } as Ort.InferenceSession.SessionOptions,
};
const only = process.argv[4]?.split(',') ?? Object.keys(variants);
const sessions: Record<string, Ort.InferenceSession> = {};
for (const v of only) sessions[v] = await ort.InferenceSession.create(bytes, variants[v]);
type State = LabState;
const items = Array.from({ length: k }, () => ({ batch, ctx, rate: 1e-3 }));
const feeds = await stackedFeeds(ort, c.step, items, plan, 0, new Map());
async function loops(s: Ort.InferenceSession, state: State, runs: number): Promise<State> {
  for (let r = 0; r < runs; r++) {
    const out = await s.run({ ...feeds, ...state });
    state = Object.fromEntries(io.carried.map((x) => [x, out[`${x}:out`] as Ort.Tensor]));
  }
  return state;
}
const t: Record<string, number[]> = Object.fromEntries(only.map((v) => [v, []]));
const st: Record<string, State> = Object.fromEntries(only.map((v) => [v, start]));
for (const v of only) st[v] = await loops(sessions[v], st[v], 1);
const runs = Math.ceil(48 / k);
for (let round = 0; round < 7; round++) {
  for (const v of only) {
    const t0 = performance.now();
    st[v] = await loops(sessions[v], st[v], runs);
    t[v].push((performance.now() - t0) / (runs * k));
  }
}
const base = median(t[only[0]]);
for (const v of only) console.log(`${name} ${v}: ${median(t[v]).toFixed(2)} ms/step  ${(base / median(t[v])).toFixed(2)}x  [${t[v].map((x) => x.toFixed(1)).join(' ')}]`);
console.log(`load ${loadavg()[0].toFixed(2)}`);
