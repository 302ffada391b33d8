/**
 * @file `fit` with progress and an optional time budget. Core's trainer stops on an
 * AbortSignal between batches and leaves the weights as trained so far, so a budget is a
 * signal that fires after the given seconds; the run then counts as finished, not failed.
 */
import { AbortError } from '@latentkit/core';
import type { Dataset, FitOptions, ProgressEvent } from '@latentkit/core';
import { trainingProgress, type ProgressOptions } from './progress.js';

/** The part of a model `fitWithBudget` needs. */
export interface Fittable<S> {
  fit(data: Dataset<S> | S[], options?: FitOptions<S>): Promise<unknown>;
}

/** What one budgeted training run did. */
export interface FitSummary {
  /** Epochs completed. */
  epochs: number;
  /** Training loss of the last completed epoch. */
  loss: number | undefined;
  /** Validation loss of the last completed epoch. */
  valLoss: number | undefined;
  seconds: number;
  /** Whether the time budget ended training before the planned epochs. */
  stoppedByBudget: boolean;
}

/**
 * Trains with a progress bar (or lines) and, when `budgetSeconds` is set, stops between
 * batches once the budget is spent, keeping the weights trained so far.
 * @param label progress label, e.g. `image conv-ae`.
 * @param model the model.
 * @param data training samples.
 * @param fit core's fit options (`onProgress` and `signal` are added here).
 * @param options `budgetSeconds` and progress options.
 * @returns epochs, last losses, seconds, and whether the budget cut the run short.
 * @throws whatever `fit` throws, except the budget's own abort.
 */
export async function fitWithBudget<S>(
  label: string,
  model: Fittable<S>,
  data: Dataset<S> | S[],
  fit: FitOptions<S>,
  options: ProgressOptions & { budgetSeconds?: number } = {},
): Promise<FitSummary> {
  const progress = trainingProgress(label, options);
  const controller = new AbortController();
  const t0 = performance.now();
  const deadline = options.budgetSeconds !== undefined ? t0 + options.budgetSeconds * 1000 : Infinity;
  // The clock is read on every progress event rather than by a timer: on the wasm backend a
  // training loop's awaits settle as microtasks, so a setTimeout would not fire until it ends.
  const onProgress = (e: ProgressEvent) => {
    progress.onProgress(e);
    if (performance.now() >= deadline && !controller.signal.aborted) controller.abort();
  };
  const timer = Number.isFinite(deadline) ? setTimeout(() => controller.abort(), Math.max(0, deadline - t0)) : undefined;
  let stoppedByBudget = false;
  try {
    await model.fit(data, { ...fit, onProgress, signal: controller.signal, progressIntervalMs: Math.min(fit.progressIntervalMs ?? 100, 100) });
  } catch (e) {
    if (!(e instanceof AbortError && controller.signal.aborted)) throw e;
    stoppedByBudget = true;
  } finally {
    if (timer) clearTimeout(timer);
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const { epochs, loss, valLoss } = progress.completed;
  if (stoppedByBudget && !options.quiet) {
    (options.stream ?? process.stderr).write(`${label}: time budget of ${options.budgetSeconds}s reached after ${epochs} full epoch(s); keeping the weights trained so far\n`);
  }
  return { epochs, loss, valLoss, seconds, stoppedByBudget };
}
