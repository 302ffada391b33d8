/**
 * Several steps per onnxruntime run (multi-step.ts): the loop graph must compute exactly what
 * the same steps one by one do (per-step batches, random draws, rates and Adam's bias
 * correction included), `fit` must take its steps in runs of several and train as tfjs does,
 * and a loop graph that onnxruntime rejects or that disagrees must leave the fit on single steps.
 */
import { availableParallelism } from 'node:os';
import type * as Ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { initEngine, tf, train, type FitOptions } from '@latentkit/core';
import { compileStepGraph, drawRandom } from './compile.js';
import { buildMultiStepModel, multiStepIo, stackedFeeds } from './multi-step.js';
import { planOptimizer, scalarValues } from './optimizer.js';
import { createSession, loadOrt } from './runtime.js';
import { modelCache } from './step-cache.js';
import { probingShortFits } from '../testing/probe-gate.js';

let made = 0;
/** Two layers whose loss reads a per-step random draw and reports a metric. */
function noisyProblem() {
  const id = made++;
  const w1 = tf.variable(tf.randomNormal([6, 4], 0, 0.4, 'float32', 3), true, `ms_w1_${id}`);
  const w2 = tf.variable(tf.randomNormal([4, 6], 0, 0.4, 'float32', 4), true, `ms_w2_${id}`);
  return {
    vars: [w1, w2],
    variables: () => [w1, w2],
    collate: (s: number[][]) => ({ x: tf.tensor2d(s) }),
    loss: (b: Record<string, tf.Tensor>, ctx: { seed: number }) => {
      const noisy = tf.add(b.x, tf.mul(tf.randomNormal(b.x.shape, 0, 1, 'float32', ctx.seed), 0.1));
      const y = tf.matMul(tf.relu(tf.matMul(noisy, w1)), w2);
      const err = tf.mean(tf.square(tf.sub(y, b.x)));
      return { loss: err as tf.Scalar, metrics: { absErr: tf.mean(tf.abs(tf.sub(y, b.x))) as tf.Scalar } };
    },
    saveCheckpoint: async () => {},
    loadCheckpoint: async () => () => undefined,
    dispose: () => tf.dispose([w1, w2]),
  };
}

const rows = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(seed + i * 0.37 + j * 1.3)));

/** Counts `InferenceSession.run` calls by steps per run (1 for a single-step graph). */
async function countRuns<T>(body: () => Promise<T>): Promise<{ result: T; runs: number[] }> {
  const ort = (await loadOrt()) as typeof Ort;
  const proto = ort.InferenceSession.prototype as unknown as { run: (...a: unknown[]) => Promise<unknown> };
  const original = proto.run;
  const runs: number[] = [];
  proto.run = function (this: unknown, feeds: Record<string, Ort.Tensor>, ...rest: unknown[]) {
    runs.push(feeds.steps ? Number((feeds.steps.data as BigInt64Array)[0]) : 1);
    return original.call(this, feeds, ...rest);
  };
  try {
    return { result: await body(), runs };
  } finally {
    proto.run = original;
  }
}

describe('several steps per run', () => {
  it('a loop of k steps gives, to the bit, what k single-step runs give', async () => {
    await initEngine({ backend: 'ort' });
    const ort = (await loadOrt()) as typeof Ort;
    const p = noisyProblem();
    const plan = planOptimizer(tf.train.adam(0.02));
    const batches = [0, 1, 2, 3].map((k) => p.collate(rows(8, k)));
    const ctxs = [0, 1, 2, 3].map((k) => ({ training: true, seed: 100 + k * 17, epoch: 0, batch: k }));
    const c = compileStepGraph(p, p.vars, batches[0], ctxs[0], plan, 0.5);
    const io = multiStepIo(c.step);
    expect(io.scans).toEqual(['loss', 'm:absErr', 'gnorm']);
    expect(io.perStep).toContain('r:0');
    const single = await createSession(ort, c.model, { intraOp: 1, spinning: false });
    const loop = await createSession(ort, buildMultiStepModel(c.step), { intraOp: 1, spinning: false });
    const shape = (n: string) => c.step.graph.shape(n);
    let state: Record<string, Ort.Tensor> = Object.fromEntries(
      io.carried.map((n) => [n, new ort.Tensor('float32', n.startsWith('w:') ? (p.vars[Number(n.slice(2))].dataSync() as Float32Array).slice() : new Float32Array(shape(n).reduce((a, b) => a * b, 1)), shape(n))]),
    );
    const start = state;
    // Rates change from step to step (a schedule); the iteration count starts past 0 (resumed Adam).
    const rates = [0.02, 0.015, 0.01, 0.005];
    const iterations = 5;
    const singles: Record<string, number>[] = [];
    for (let k = 0; k < 4; k++) {
      const feeds: Record<string, Ort.Tensor> = { ...state, 'b:x': new ort.Tensor('float32', batches[k].x.dataSync() as Float32Array, [8, 6]) };
      for (const r of c.step.random) feeds[r.name] = new ort.Tensor('float32', drawRandom(r, ctxs[k].seed), r.shape);
      for (const [n, v] of Object.entries(scalarValues(plan, rates[k], iterations + k))) feeds[n] = new ort.Tensor('float32', Float32Array.of(v), []);
      const out = await single.run(feeds);
      singles.push(Object.fromEntries(io.scans.map((n) => [n, (out[n].data as Float32Array)[0]])));
      state = Object.fromEntries(io.carried.map((n) => [n, out[`${n}:out`] as Ort.Tensor]));
    }
    const items = batches.map((batch, k) => ({ batch, ctx: ctxs[k], rate: rates[k] }));
    const out = await loop.run({ ...(await stackedFeeds(ort, c.step, items, plan, iterations, new Map())), ...start });
    for (const n of io.scans) expect(Array.from(out[n].data as Float32Array)).toEqual(singles.map((s) => s[n]));
    for (const n of io.carried) expect(Array.from(out[`${n}:out`].data as Float32Array)).toEqual(Array.from(state[n].data as Float32Array));
    // The steps moved the weights: the comparison is not between two unchanged copies.
    expect(singles[3].loss).not.toBe(singles[0].loss);
    await Promise.all([single.release(), loop.release()]);
    tf.dispose(batches.flatMap((b) => Object.values(b)));
    p.dispose();
  });

  async function fitBoth(options: FitOptions<number[]>, prepare?: (p: ReturnType<typeof noisyProblem>) => void) {
    const data = rows(100, 9);
    const run = async (backend: 'ort' | 'wasm') => {
      await initEngine({ backend });
      const p = noisyProblem();
      prepare?.(p);
      const { result: h, runs } = await countRuns(() => train(p, data, { epochs: 4, batchSize: 8, seed: 3, learningRate: 0.01, threads: 1, ...options }));
      const w = p.vars.map((v) => Array.from(v.dataSync() as Float32Array));
      const entry = [...modelCache(p).values()][0];
      p.dispose();
      return { h, w, runs, entry };
    };
    return { ort: await run('ort'), wasm: await run('wasm') };
  }

  function expectSameTraining(ort: Awaited<ReturnType<typeof fitBoth>>['ort'], wasm: Awaited<ReturnType<typeof fitBoth>>['wasm']) {
    expect(ort.h.engine).toBe('onnxruntime');
    ort.h.loss.forEach((l, i) => expect(Math.abs(l - wasm.h.loss[i]) / wasm.h.loss[i]).toBeLessThan(1e-4));
    ort.h.metrics.forEach((m, i) => expect(Math.abs(m.absErr - wasm.h.metrics[i].absErr) / wasm.h.metrics[i].absErr).toBeLessThan(1e-4));
    ort.w.flat().forEach((v, i) => expect(Math.abs(v - wasm.w.flat()[i])).toBeLessThan(1e-4));
  }

  it('fit takes its steps in runs of several and trains as tfjs does, at each step scheduled rate', async () => {
    const { ort, wasm } = await fitBoth({ learningRateSchedule: 'cosine' });
    expectSameTraining(ort, wasm);
    expect(ort.entry.loopVerified).toBe(true);
    // 13 batches per epoch (the last of 4 rows): every step ran once, plus the two loops of one
    // step that checked the first longer run. How many steps a run takes depends on how long
    // steps take (runs stay under ~200 ms), so only "several" is asserted.
    const steps = ort.runs.reduce((a, b) => a + b, 0);
    expect(steps).toBe(4 * 13 + 2);
    expect(Math.max(...ort.runs)).toBeGreaterThan(1);
    expect(ort.runs.length).toBeLessThan(4 * 13);
    expect(wasm.runs).toEqual([]);
  });

  it.skipIf(availableParallelism() < 2)("'auto' times its probe blocks on intra-op threads as a warm-up step, then the block's timed steps in one run of 8, as runs go outside the probe", async () => {
    await initEngine({ backend: 'ort' });
    const p = noisyProblem();
    const { result: h, runs } = await probingShortFits(() => countRuns(() => train(p, rows(800, 4), { epochs: 5, batchSize: 8, seed: 3, learningRate: 0.01, threads: 'auto' })));
    p.dispose();
    expect(h.engineCores).toMatch(/\(auto; median ms per step: 1 thread [\d.]+, split halves on 2 threads [\d.]+\)$/);
    // 3 rounds of a 1-thread block beside split halves' (split steps run in workers), each
    // 1-thread block run as [1, 8].
    const pairs = runs.slice(1).filter((k, i) => k === 8 && runs[i] === 1).length;
    expect(pairs).toBeGreaterThanOrEqual(3);
  });

  it('a loop graph onnxruntime rejects leaves the fit on single steps, trained as tfjs trains', async () => {
    const { ort, wasm } = await fitBoth({}, (p) => {
      // The cache entry is made at the first step; its loop graph is built later, at the first loop.
      const cache = modelCache(p);
      const set = cache.set.bind(cache);
      cache.set = (k, e) => set(k, Object.assign(e, { loopModel: Uint8Array.of(8, 1, 18, 3) }));
    });
    expectSameTraining(ort, wasm);
    expect(ort.entry.loopFailed).toMatch(/^onnxruntime rejected the multi-step graph/);
    expect(ort.runs.every((k) => k === 1)).toBe(true);
  });

  it('a loop graph that disagrees with loops of one step is dropped before its steps count', async () => {
    const { ort, wasm } = await fitBoth({}, (p) => {
      // A loop whose body reads its iteration number into the loss: a loop of one step (iteration
      // 0) is right, the second step of a longer loop is not, as a loop that carried or gathered
      // wrongly from one iteration to the next would be.
      const batch = p.collate(rows(8, 9));
      const c = compileStepGraph(p, p.vars, batch, { training: true, seed: 1, epoch: 0, batch: 0 }, planOptimizer(tf.train.adam(0.01)), undefined);
      tf.dispose(batch.x);
      const g = c.step.graph;
      const last = g.nodes.find((n) => n.outputs.includes('loss'))!;
      last.outputs = ['loss_true'];
      g.values.set('loss_true', { shape: [], dtype: 'float32' });
      // `iter` is the body's iteration input (multi-step.ts prefixes the step graph's names).
      g.nodes.push({ op: 'Cast', inputs: ['iter'], outputs: ['iter_f'], attrs: { to: { i: 1 } } });
      g.nodes.push({ op: 'Add', inputs: ['loss_true', 'iter_f'], outputs: ['loss'], attrs: {} });
      const faulty = buildMultiStepModel(c.step);
      const cache = modelCache(p);
      const set = cache.set.bind(cache);
      cache.set = (k, e) => set(k, Object.assign(e, { loopModel: faulty }));
    });
    expectSameTraining(ort, wasm);
    expect(ort.entry.loopFailed).toMatch(/^the multi-step graph disagrees with single steps/);
    // One run of several steps (the checked one, whose results were dropped); every other step one per run.
    expect(ort.runs.filter((k) => k > 1).length).toBe(1);
    expect(ort.runs.reduce((a, b) => a + b, 0)).toBeGreaterThan(4 * 13);
  });
});
