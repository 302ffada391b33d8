/**
 * @file Lab script (issue #18, session 9): where a compiled step's time goes, op type by op
 * type, from onnxruntime's own profiler (40 single-step runs of a bench reference AE, batch
 * 128, on 1 or 2 intra-op threads). The profiler slows runs down; compare shares, not times.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-ops.ts <dense|conv|sequence> [threads] [nodes listed]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { scalarValues } from '../../packages/core/src/ort/optimizer.ts';
import { sessionOptions } from '../../packages/core/src/ort/runtime.ts';
import { type BenchModel } from '../lib/engine-models.ts';
import { labStep, type LabState } from './lab-setup.ts';

const name = (process.argv[2] ?? 'conv') as BenchModel;
const threads = Number(process.argv[3] ?? 1);
const nodes = Number(process.argv[4] ?? 12);
const { ort, plan, c, io, start, batchFeed: bx } = await labStep(name, 128);
const dir = mkdtempSync(join(tmpdir(), 'lk-ops-'));
const s = await ort.InferenceSession.create(c.model, { ...sessionOptions({ intraOp: threads, spinning: false }), enableProfiling: true, profileFilePrefix: join(dir, 'profile') } as Ort.InferenceSession.SessionOptions);
let state: LabState = start;
for (let j = 0; j < 40; j++) {
  const feeds: Record<string, Ort.Tensor> = { ...state, 'b:x': bx };
  for (const [k, v] of Object.entries(scalarValues(plan, 1e-3, j))) feeds[k] = new ort.Tensor('float32', Float32Array.of(v), []);
  const out = await s.run(feeds);
  state = Object.fromEntries(io.carried.map((x) => [x, out[`${x}:out`] as Ort.Tensor]));
}
// The binding's endProfiling returns nothing: the file is the one in `dir`.
await (s as unknown as { endProfiling(): unknown }).endProfiling();
const file = join(dir, readdirSync(dir)[0]);
const ev = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
const byOp = new Map<string, number>();
let total = 0;
for (const e of ev) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) { const op = e.args?.op_name ?? '?'; byOp.set(op, (byOp.get(op) ?? 0) + e.dur); total += e.dur; }
const runs = ev.filter((e) => e.name === 'model_run').slice(5);
console.log(`${name} ${threads}t: model_run median ${(runs.map((r) => r.dur).sort((a, b) => a - b)[runs.length >> 1] / 1000).toFixed(2)} ms; kernel total/run ${(total / 40 / 1000).toFixed(2)} ms`);
for (const [op, d] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${op.padEnd(16)} ${(d / 40 / 1000).toFixed(3)} ms  ${(100 * d / total).toFixed(1)}%`);
// The heaviest nodes, with their inputs' shapes: a kernel far slower per element than its
// neighbours shows here (session 12: a scalar Add on [128, 28, 28, 1] at 9 ns an element).
const byNode = new Map<string, { us: number; what: string }>();
for (const e of ev as { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: Record<string, number[]>[] } }[]) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const what = `${e.args?.op_name} ${(e.args?.input_type_shape ?? []).map((s) => `[${Object.values(s)[0]}]`).join(' ')}`;
  const v = byNode.get(e.name) ?? { us: 0, what };
  v.us += e.dur;
  byNode.set(e.name, v);
}
for (const [, v] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, nodes)) console.log(`  ${(v.us / 40 / 1000).toFixed(3)} ms  ${v.what.slice(0, 160)}`);
rmSync(dir, { recursive: true, force: true });
