/**
 * @file The one training loop every latentkit model uses. A model supplies its variables, a
 * `collate` from samples to tensors and a loss; `train` owns batching, shuffling, validation,
 * early stopping, checkpoints and resume, progress events, NaN guards and tensor hygiene.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkPositiveInt } from '../model/config-check.js';
import { AbortError, InvalidArgumentError, ModelFormatError, NonFiniteLossError } from '../errors/errors.js';
import { engineInfo, noteTrainingFallback } from '../engine/engine.js';
import { createStepRunner } from '../ort/runner.js';
import { modeLabel } from '../ort/threads.js';
import { stepEach, type StepResult } from './step-runner.js';
import { ArrayDataset, asDataset, type Dataset } from './dataset.js';
import type { FitOptions, History, LearningRateSchedule, OptimizerName, ProgressEvent } from './types.js';

export type { TensorBatch, StepContext, LossOutput, TrainingProblem } from './problem.js';
import type { LossOutput, StepContext, TensorBatch, TrainingProblem } from './problem.js';

interface TrainerState {
  version: 1;
  epoch: number; // epochs completed
  seed: number;
  history: Omit<History, 'seconds' | 'samplesPerSecond' | 'engine' | 'engineReason' | 'engineNote'>;
  best: { loss: number; epoch: number; stale: number };
  optimizer: { name: string; specs: tf.io.WeightsManifestEntry[] };
  seconds: number;
  samples: number;
}

const STATE_FILE = 'trainer-state.json';
const OPTIMIZER_FILE = 'optimizer.bin';

function makeOptimizer(spec: OptimizerName | tf.Optimizer, lr: number): tf.Optimizer {
  if (typeof spec !== 'string') return spec;
  switch (spec) {
    case 'adam':
      return tf.train.adam(lr);
    case 'adamax':
      return tf.train.adamax(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, 0.9);
    default:
      throw new InvalidArgumentError(`Unknown optimizer '${String(spec)}'; use adam, adamax, rmsprop, sgd or momentum.`);
  }
}

/** Resolves the `learningRateSchedule` option to a function of the step. */
function resolveSchedule(spec: FitOptions['learningRateSchedule']): LearningRateSchedule | undefined {
  if (spec === undefined || spec === 'constant') return undefined;
  if (spec === 'cosine') return ({ progress, baseLearningRate }) => baseLearningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
  if (typeof spec === 'function') return spec;
  throw new InvalidArgumentError(`Unknown learningRateSchedule '${String(spec)}'; use 'constant', 'cosine' or a function.`);
}

function stepSeed(seed: number, epoch: number, batch: number): number {
  // Distinct, repeatable per step; kept in int32 range for tf.random* seeds.
  return ((seed * 73856093) ^ (epoch * 19349663) ^ (batch * 83492791)) >>> 1;
}

// Kept in JS memory, not as tensors, so the tensor count stays flat across epochs.
async function snapshot(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

function restoreSnapshot(vars: tf.Variable[], values: Float32Array[]): void {
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape, v.dtype))));
}

/**
 * Trains `problem` on `data`. See {@link FitOptions} for every option and its default.
 *
 * @returns per-epoch history.
 * @throws {NonFiniteLossError} naming the epoch and batch where the loss became NaN/Inf.
 * @throws {AbortError} when `options.signal` aborts.
 * @throws {InvalidArgumentError} for invalid options.
 */
export async function train<S>(problem: TrainingProblem<S>, data: Dataset<S> | readonly S[], options: FitOptions<S> = {}): Promise<History> {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 42;
  checkPositiveInt('epochs', epochs);
  checkPositiveInt('batchSize', batchSize);
  const lr = options.learningRate ?? 1e-3;
  if (!(lr > 0)) throw new InvalidArgumentError(`learningRate must be > 0, got ${lr}.`);
  const schedule = resolveSchedule(options.learningRateSchedule);
  const shuffle = options.shuffle ?? true;
  const progressEvery = options.progressIntervalMs ?? 100;
  if (options.timeLimitMs !== undefined && !(options.timeLimitMs > 0)) {
    throw new InvalidArgumentError(`timeLimitMs must be > 0, got ${options.timeLimitMs}.`);
  }
  const deadline = performance.now() + (options.timeLimitMs ?? Infinity);
  let timedOut = false;
  const threads = options.threads ?? 'auto';
  if (threads !== 'auto' && threads !== 'split' && threads !== 'spin' && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new InvalidArgumentError(`threads must be 'auto', 'split', 'spin' or an integer in [1, 256], got ${String(threads)}.`);
  }
  const emit = (e: ProgressEvent) => options.onProgress?.(e);

  let trainSet = asDataset(data);
  let valSet: Dataset<S> | undefined = options.validationData ? asDataset(options.validationData) : undefined;
  if (!valSet && options.validationSplit) {
    if (!(trainSet instanceof ArrayDataset)) {
      throw new InvalidArgumentError('validationSplit needs in-memory data; pass validationData for streamed datasets.');
    }
    [trainSet, valSet] = trainSet.split(options.validationSplit, seed);
  }
  const es = options.earlyStopping === true ? {} : options.earlyStopping || undefined;
  const patience = es?.patience ?? 5;
  const minDelta = es?.minDelta ?? 0;
  const restoreBest = es?.restoreBest ?? true;

  const vars = problem.variables();
  if (vars.length === 0) throw new InvalidArgumentError('The model has no trainable variables.');
  const optimizer = makeOptimizer(options.optimizer ?? 'adam', lr);
  const ownsOptimizer = typeof (options.optimizer ?? 'adam') === 'string';

  const history: TrainerState['history'] = { epochs: [], loss: [], valLoss: [], metrics: [], bestEpoch: 0, stoppedEarly: false };
  let best = { loss: Infinity, epoch: 0, stale: 0 };
  let bestWeights: Float32Array[] | undefined;
  let startEpoch = 0;
  let priorSeconds = 0;
  let totalSamples = 0;

  const ckptDir = options.checkpoint ? join(options.checkpoint.dir, 'latest') : undefined;
  if (options.resume && ckptDir) {
    const resumed = await tryResume(problem, optimizer, ckptDir);
    if (resumed) {
      if (resumed.seed !== seed) {
        throw new InvalidArgumentError(`Checkpoint in ${ckptDir} was trained with seed ${resumed.seed}; resume with the same seed (got ${seed}).`);
      }
      startEpoch = resumed.epoch;
      Object.assign(history, resumed.history);
      best = resumed.best;
      priorSeconds = resumed.seconds;
      totalSamples = resumed.samples;
    }
  }

  const batchesPerEpoch = trainSet.size !== undefined ? Math.ceil(trainSet.size / batchSize) : undefined;
  const cappedBatches = options.maxBatchesPerEpoch !== undefined && batchesPerEpoch !== undefined ? Math.min(batchesPerEpoch, options.maxBatchesPerEpoch) : (options.maxBatchesPerEpoch ?? batchesPerEpoch);
  emit({ type: 'start', epochs, batchesPerEpoch: cappedBatches, startEpoch });
  // Compiled ONNX steps on onnxruntime-node when the engine is `ort`, tfjs otherwise (or for
  // what the compiler cannot lower); either way the loop below is the same.
  const runner = await createStepRunner(problem as TrainingProblem<unknown>, vars, optimizer, {
    clipNorm: options.clipNorm,
    threads,
    ...(cappedBatches !== undefined ? { expectedSteps: cappedBatches * (epochs - startEpoch) } : {}),
    epochs: epochs - startEpoch,
    onEngine: (engine, reason) => emit({ type: 'engine', engine, ...(reason ? { reason } : {}) }),
  });
  emit({ type: 'engine', engine: runner.engine, ...(runner.fallbackReason ? { reason: runner.fallbackReason } : {}) });

  let engineNote: string | undefined;
  let engineCores: string | undefined;
  const t0 = performance.now();
  let secondsPerEpoch: number | undefined;
  // Steps taken over the run (a resumed run starts after the epochs it already did), so a
  // schedule continues where it stopped.
  let runStep = startEpoch * (cappedBatches ?? 0);

  try {
    run: for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      let lossSum = 0;
      let seen = 0;
      const metricSums: Record<string, number> = {};
      let batchIndex = 0;
      let lastEmit = 0;
      // One call of steps may be in flight while the next batch is drawn and collated: split
      // steps run in worker threads, and this thread's collate of the next batch (about 1 ms of
      // a 4 ms dense-AE step) overlaps them. A call's results are taken before the next call
      // starts, so the NaN check and progress see steps in order. A call takes as many batches
      // as the runner asks for (`group`): the ORT runner runs several steps in one graph run
      // where that pays (ort/multi-step.ts); each keeps its own step seed and scheduled rate.
      type Pending = { batch: TensorBatch; ctx: StepContext; rate: number | undefined; size: number };
      let pending: Pending[] = [];
      let inFlight: { results: Promise<StepResult[]>; items: Pending[] } | undefined;
      const finish = async () => {
        const s = inFlight;
        if (!s) return;
        inFlight = undefined;
        let results: StepResult[];
        try {
          results = await s.results;
        } finally {
          for (const it of s.items) tf.dispose(Object.values(it.batch));
        }
        results.forEach(({ loss: lossValue, metrics: metricValues }, j) => {
          const size = s.items[j].size;
          if (!Number.isFinite(lossValue)) throw new NonFiniteLossError(epoch + 1, batchIndex + 1, lossValue);
          lossSum += lossValue * size;
          for (const [k, v] of Object.entries(metricValues)) metricSums[k] = (metricSums[k] ?? 0) + v * size;
          seen += size;
          batchIndex++;
          runStep++;
          const now = performance.now();
          if (options.onProgress && (now - lastEmit >= progressEvery || batchIndex === cappedBatches)) {
            lastEmit = now;
            const elapsed = (now - epochStart) / 1000;
            const perBatch = elapsed / batchIndex;
            const leftThis = cappedBatches !== undefined ? (cappedBatches - batchIndex) * perBatch : undefined;
            const eta = leftThis !== undefined ? leftThis + (epochs - epoch - 1) * (secondsPerEpoch ?? perBatch * (cappedBatches ?? 0)) : undefined;
            emit({ type: 'batch', epoch: epoch + 1, epochs, batch: batchIndex, batches: cappedBatches, loss: lossValue, samplesPerSecond: seen / elapsed, etaSeconds: eta });
          }
        });
      };
      // Starts the pending steps. Nothing is in flight then: the call before was finished when
      // the first of these batches was queued (below).
      const dispatch = () => {
        if (pending.length === 0) return;
        const items = pending;
        pending = [];
        const results = runner.steps ? runner.steps(items) : stepEach(runner, optimizer, items);
        // Handled when awaited; marked now, or a failure while the next batch is drawn would
        // count as an unhandled rejection.
        results.catch(() => undefined);
        inFlight = { results, items };
      };
      let started = 0;
      let target = 1;
      try {
        for await (const samples of trainSet.batches({ batchSize, shuffle, seed, epoch })) {
          if (options.signal?.aborted) throw new AbortError(`Training aborted at epoch ${epoch + 1}, batch ${started + 1}.`);
          // The clock is read per batch, not by a timer: on wasm a training loop's awaits settle as
          // microtasks, so a setTimeout would not fire until training ends. Batches collated but
          // not started when time is up are dropped, as the ones not drawn are.
          if (performance.now() >= deadline) {
            timedOut = true;
            await finish();
            break run;
          }
          if (options.maxBatchesPerEpoch !== undefined && started >= options.maxBatchesPerEpoch) break;
          if (samples.length === 0) continue;
          const ctx: StepContext = { training: true, seed: stepSeed(seed, epoch, started), epoch, batch: started };
          let rate: number | undefined;
          if (schedule) {
            const totalSteps = cappedBatches !== undefined ? cappedBatches * epochs : undefined;
            // The step about to be queued: those taken, those in flight, and those queued before it.
            const step = runStep + (inFlight?.items.length ?? 0) + pending.length;
            const progress = totalSteps !== undefined ? step / totalSteps : epoch / epochs;
            rate = schedule({ epoch, step, totalSteps, progress, baseLearningRate: lr });
            if (!(rate >= 0) || !Number.isFinite(rate)) {
              throw new InvalidArgumentError(`learningRateSchedule returned ${rate} at epoch ${epoch + 1}, step ${step}; expected a finite number >= 0.`);
            }
          }
          pending.push({ batch: problem.collate(samples, ctx), ctx, rate, size: samples.length });
          started++;
          // The size of a call is asked with nothing in flight: the runner's answer depends on
          // the steps before it (a probe block's steps left, a mode chosen at a probe's end).
          // (On an error here the `finally` below disposes the pending batches.)
          if (pending.length === 1) {
            await finish();
            target = runner.group?.() ?? 1;
          }
          if (pending.length >= target) dispatch();
        }
        dispatch();
        await finish();
      } finally {
        // An error (or an abort) leaves steps in flight: they end before the runner syncs.
        for (const it of pending) tf.dispose(Object.values(it.batch));
        pending = [];
        const s = inFlight as typeof inFlight;
        if (s) {
          inFlight = undefined;
          await s.results.catch(() => undefined);
          for (const it of s.items) tf.dispose(Object.values(it.batch));
        }
      }
      if (seen === 0) throw new InvalidArgumentError(`Epoch ${epoch + 1} saw no samples: the training data is empty.`);
      // Validation, snapshots and checkpoints read the tfjs variables and optimizer.
      await runner.sync();
      const note = runner.engine === 'onnxruntime' ? runner.note?.() : undefined;
      const cores = runner.engine === 'onnxruntime' ? runner.cores?.() : undefined;
      // News: what 'auto' measured and chose, or a fixed setting that could not be followed.
      if (cores && cores !== engineCores && (threads === 'auto' || cores !== modeLabel(threads))) emit({ type: 'engine', engine: runner.engine, cores });
      engineCores = cores;
      if (note && note !== engineNote) emit({ type: 'engine', engine: runner.engine, note });
      engineNote = note;
      const loss = lossSum / seen;
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(metricSums)) metrics[k] = v / seen;
      const valLoss = valSet ? await evaluateLoss(problem, valSet, batchSize, seed, epoch) : undefined;
      const seconds = (performance.now() - epochStart) / 1000;
      secondsPerEpoch = seconds;
      totalSamples += seen;
      history.epochs.push(epoch + 1);
      history.loss.push(loss);
      history.valLoss.push(valLoss);
      history.metrics.push(metrics);

      const monitored = valLoss ?? loss;
      if (monitored < best.loss - minDelta) {
        best = { loss: monitored, epoch: epoch + 1, stale: 0 };
        if (es && restoreBest) bestWeights = await snapshot(vars);
      } else {
        best.stale++;
      }
      history.bestEpoch = best.epoch;
      emit({
        type: 'epoch',
        epoch: epoch + 1,
        epochs,
        loss,
        valLoss,
        metrics,
        samplesPerSecond: seen / seconds,
        seconds,
        etaSeconds: seconds * (epochs - epoch - 1),
        numTensors: tf.memory().numTensors,
      });

      const stop = !!es && best.stale >= patience;
      if (ckptDir && ((epoch + 1) % (options.checkpoint?.every ?? 1) === 0 || stop || epoch + 1 === epochs)) {
        await writeCheckpoint(problem, optimizer, ckptDir, {
          version: 1,
          epoch: epoch + 1,
          seed,
          history: { ...history, stoppedEarly: stop },
          best,
          optimizer: { name: optimizer.getClassName(), specs: [] },
          seconds: priorSeconds + (performance.now() - t0) / 1000,
          samples: totalSamples,
        });
        emit({ type: 'checkpoint', epoch: epoch + 1, dir: ckptDir });
      }
      if (stop) {
        history.stoppedEarly = true;
        if (bestWeights) restoreSnapshot(vars, bestWeights);
        emit({ type: 'early-stop', epoch: epoch + 1, bestEpoch: best.epoch, bestLoss: best.loss });
        break;
      }
    }
  } finally {
    // Also on abort and errors: the tfjs model holds every step taken.
    try {
      await runner.sync();
    } finally {
      runner.dispose();
      if (ownsOptimizer) optimizer.dispose();
    }
  }
  if (engineInfo()?.training === 'onnxruntime') noteTrainingFallback(runner.fallbackReason, engineNote);
  const seconds = priorSeconds + (performance.now() - t0) / 1000;
  emit({ type: 'end', epochs: history.epochs.length, seconds });
  return {
    ...history,
    ...(timedOut ? { stoppedByTimeLimit: true } : {}),
    seconds,
    samplesPerSecond: totalSamples / Math.max(seconds, 1e-9),
    engine: runner.engine,
    ...(runner.fallbackReason ? { engineReason: runner.fallbackReason } : {}),
    ...(engineNote ? { engineNote } : {}),
    ...(engineCores ? { engineCores } : {}),
  };
}

/** Mean loss over a dataset without gradients (validation). */
export async function evaluateLoss<S>(problem: TrainingProblem<S>, data: Dataset<S> | readonly S[], batchSize = 64, seed = 42, epoch = 0): Promise<number> {
  let sum = 0;
  let n = 0;
  let b = 0;
  for await (const samples of asDataset(data).batches({ batchSize, shuffle: false, seed, epoch })) {
    if (samples.length === 0) continue;
    const ctx: StepContext = { training: false, seed: stepSeed(seed + 1, epoch, b++), epoch, batch: b };
    const batch = problem.collate(samples, ctx);
    try {
      const v = tf.tidy(() => {
        const out = problem.loss(batch, ctx);
        return out.loss;
      });
      sum += (await v.data())[0] * samples.length;
      v.dispose();
    } finally {
      tf.dispose(Object.values(batch));
    }
    n += samples.length;
  }
  return n > 0 ? sum / n : NaN;
}

async function writeCheckpoint(problem: TrainingProblem<unknown>, optimizer: tf.Optimizer, dir: string, state: TrainerState): Promise<void> {
  const weights = await optimizer.getWeights();
  const encoded = await tf.io.encodeWeights(weights);
  state.optimizer.specs = encoded.specs;
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data));
  await mkdir(dir, { recursive: true });
  await problem.saveCheckpoint(dir, { [STATE_FILE]: JSON.stringify(state), [OPTIMIZER_FILE]: data });
}

async function tryResume(problem: TrainingProblem<unknown>, optimizer: tf.Optimizer, dir: string): Promise<TrainerState | undefined> {
  try {
    await stat(join(dir, 'latentkit.json'));
  } catch {
    return undefined; // nothing to resume from: start fresh
  }
  const extra = await problem.loadCheckpoint(dir);
  const stateBytes = extra(STATE_FILE);
  const optBytes = extra(OPTIMIZER_FILE);
  if (!stateBytes || !optBytes) throw new ModelFormatError(`Checkpoint ${dir} lacks ${STATE_FILE} or ${OPTIMIZER_FILE}.`, { file: dir });
  let state: TrainerState;
  try {
    state = JSON.parse(new TextDecoder().decode(stateBytes)) as TrainerState;
  } catch (e) {
    throw new ModelFormatError(`Checkpoint ${dir}: ${STATE_FILE} is not valid JSON.`, { file: join(dir, STATE_FILE), cause: e });
  }
  if (state.version !== 1 || typeof state.epoch !== 'number') throw new ModelFormatError(`Checkpoint ${dir}: unsupported ${STATE_FILE}.`, { file: dir });
  if (state.optimizer.name !== optimizer.getClassName()) {
    throw new InvalidArgumentError(`Checkpoint ${dir} used optimizer ${state.optimizer.name}; resume with the same optimizer (got ${optimizer.getClassName()}).`);
  }
  const copy = optBytes.slice().buffer;
  const map = tf.io.decodeWeights(copy, state.optimizer.specs);
  const list = state.optimizer.specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
  await optimizer.setWeights(list);
  tf.dispose(Object.values(map));
  return state;
}

