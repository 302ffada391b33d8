/**
 * @file How many epochs an image recipe trains when the caller gives none: the recipe's own
 * count, raised so that a small dataset still gets {@link MIN_OPTIMISER_STEPS} optimiser steps.
 * Ten epochs of 500 images at batch 64 are 70 steps: a conv autoencoder then outputs the mean
 * image for every input (the "grey blob" of issue 17); see the constant for the measurement.
 */
import type { FitOptions } from '@latentkit/core';

/**
 * Fewest optimiser steps a default image training takes. Measured on 500 MNIST test digits as
 * PNGs in class folders (`latentkit train image --data <folder>`: conv AE, 32-d code, batch 64,
 * Adam 1e-3, 10% validation, so 8 steps an epoch), reconstructions judged by 5-NN on raw
 * pixels fit on MNIST train: 10 epochs (80 steps) gave the mean image for every input, read as
 * the right digit 5% of the time; 100 epochs (800 steps) 93.8%. 1000 leaves a margin; the CLI
 * figure with the defaults is `npm run bench -- image --cli` (bench/results/image.json).
 */
export const MIN_OPTIMISER_STEPS = 1000;

/** What {@link scaledEpochs} decided, and why (a line for the user). */
export interface EpochPlan {
  epochs: number;
  stepsPerEpoch: number;
  /** Set when the epochs were raised above the recipe's own count. */
  note?: string;
}

/**
 * Epochs for `samples` training images: `fit.epochs` when given, else the larger of `base` and
 * what {@link MIN_OPTIMISER_STEPS} steps need.
 * @param samples images in the dataset (before any validation split).
 * @param fit the caller's fit options (`epochs`, `batchSize`, `validationSplit` are read).
 * @param defaults the recipe's own schedule.
 * @param base the recipe's epochs for a large dataset.
 * @example
 * ```ts
 * scaledEpochs(500, {}, { batchSize: 64, validationSplit: 0.1 }, 10).epochs; // 125
 * ```
 */
export function scaledEpochs(samples: number, fit: FitOptions<unknown> | undefined, defaults: FitOptions<unknown>, base: number): EpochPlan {
  const batch = fit?.batchSize ?? defaults.batchSize ?? 64;
  const split = fit?.validationSplit ?? defaults.validationSplit ?? 0;
  const trainCount = Math.max(1, samples - Math.floor(samples * split));
  const stepsPerEpoch = Math.ceil(trainCount / batch);
  if (fit?.epochs !== undefined) return { epochs: fit.epochs, stepsPerEpoch };
  const needed = Math.ceil(MIN_OPTIMISER_STEPS / stepsPerEpoch);
  if (needed <= base) return { epochs: base, stepsPerEpoch };
  return {
    epochs: needed,
    stepsPerEpoch,
    note:
      `${samples} images: ${base} epochs would be only ${base * stepsPerEpoch} optimiser steps, too few to learn; ` +
      `training ${needed} epochs (${needed * stepsPerEpoch} steps of ${batch}) instead (--epochs overrides)`,
  };
}
