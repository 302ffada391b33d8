/**
 * @file Lab script (issue #18): one ONNX MatMul on onnxruntime-node, 1 intra-op thread, 2
 * sleeping, 2 spinning, each after 20 warm-up runs, 300 timed runs: does ORT's GEMM itself
 * scale to the second core on this machine? Prints GFLOP/s and the load average.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-matmul.ts 128 784 256
 */
import { loadavg } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { encodeModel } from '../../packages/core/src/ort/proto.ts';
import { loadOrt } from '../../packages/core/src/ort/runtime.ts';

const [M, K, N] = (process.argv.length >= 5 ? process.argv.slice(2, 5) : ['512', '512', '512']).map(Number);
const ort = (await loadOrt()) as typeof Ort;
const model = encodeModel({
  opset: 17,
  irVersion: 8,
  producer: 'lab',
  graphName: 'matmul',
  nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
  initializers: [],
  inputs: [
    { name: 'a', dtype: 'float32', shape: [M, K] },
    { name: 'b', dtype: 'float32', shape: [K, N] },
  ],
  outputs: [{ name: 'c', dtype: 'float32', shape: [M, N] }],
});
const a = new ort.Tensor('float32', Float32Array.from({ length: M * K }, Math.random), [M, K]);
const b = new ort.Tensor('float32', Float32Array.from({ length: K * N }, Math.random), [K, N]);
const c = new ort.Tensor('float32', new Float32Array(M * N), [M, N]);
const load0 = loadavg()[0];
for (const [threads, spin] of [[1, false], [2, false], [2, true]] as const) {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } } } as Ort.InferenceSession.SessionOptions);
  for (let i = 0; i < 20; i++) await s.run({ a, b }, { c });
  const n = 300;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await s.run({ a, b }, { c });
  const ms = (performance.now() - t0) / n;
  console.log(`${M}x${K}x${N}, ${threads} thread${threads > 1 ? `s (${spin ? 'spinning' : 'sleeping'})` : ''}: ${ms.toFixed(3)} ms, ${((2 * M * K * N) / ms / 1e6).toFixed(1)} GFLOP/s`);
  await s.release();
}
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
