/**
 * @file Lab script (issue #18): the engine bench's conv (or sequence) AE trained by `fit` on onnxruntime, 1
 * thread, batch 128, alternating fits between im2col as phase slices everywhere ("old") and
 * the default choice ("new", see conv-gemm.ts), in one process. Reports samples/s (steps after
 * the first two of each fit) and samples per CPU-second of the process (steadier than wall time
 * on a loaded machine), medians per form, and the load average at the start and the end.
 *
 *   npx tsx --conditions=source bench/conv-lowering/fit-ab.ts [rounds] [batches] [conv|sequence]
 */
import { loadavg } from 'node:os';
import { createRng, initEngine, type ProgressEvent } from '@latentkit/core';
import { im2colChoice } from '../../packages/core/src/ort/conv-gemm.ts';
import { MODELS, stampRate, stampWindow } from '../lib/engine-models.ts';

const rounds = Number(process.argv[2] ?? 6);
const batches = Number(process.argv[3] ?? 16);
const which = (process.argv[4] ?? 'conv') as 'conv' | 'sequence';
const rng = createRng(5);
const data = Array.from({ length: batches * 128 }, () => Float32Array.from({ length: which === 'conv' ? 784 : 640 }, () => (rng() < 0.8 ? 0 : rng())));
const byDefault = im2colChoice.gather;
const forms = { old: () => false, new: byDefault } as const;
const wall: Record<string, number[]> = { old: [], new: [] };
const cpu: Record<string, number[]> = { old: [], new: [] };
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`load at start: ${load()}`);
await initEngine({ backend: 'ort' });
const model = MODELS[which]();
for (let r = 0; r < rounds; r++) {
  for (const form of r % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const)) {
    im2colChoice.gather = forms[form];
    const stamps: number[] = [];
    const cpuStamps: number[] = [];
    const onProgress = (e: ProgressEvent) => {
      if (e.type !== 'batch') return;
      stamps.push(performance.now());
      const u = process.cpuUsage();
      cpuStamps.push((u.user + u.system) / 1e6);
    };
    const h = await model.fit(data, { epochs: 1, batchSize: 128, shuffle: false, progressIntervalMs: 0, onProgress, threads: 1 });
    // Steps of one run report together: time the window stampRate times, for CPU time too.
    const { from, steps } = stampWindow(stamps);
    wall[form].push(stampRate(stamps, 128));
    cpu[form].push((steps * 128) / (cpuStamps[cpuStamps.length - 1] - cpuStamps[from]));
    console.log(`round ${r} ${form}: ${wall[form].at(-1)!.toFixed(0)} samples/s, ${cpu[form].at(-1)!.toFixed(0)} samples/CPU-s (${h.engine})`);
  }
}
im2colChoice.gather = byDefault;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (what: string, m: Record<string, number[]>) => `${what}: old ${median(m.old).toFixed(0)}, new ${median(m.new).toFixed(0)}, new/old ${(median(m.new) / median(m.old)).toFixed(3)}`;
console.log(line('median samples/s', wall));
console.log(line('median samples/CPU-s', cpu));
console.log(`load at end: ${load()}`);
