/**
 * @file The image modality's collapse check (core's `collapseCheck` on pixels): reconstructs a
 * few hundred images and compares the error with the mean image's and the spread of the outputs
 * with the inputs'. `latentkit train image`, the demo and the tests all run this one.
 */
import { collapseCheck, type TrainingCheck } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';

/** Pixel-space collapse check of an image model. */
export const imageTrainingCheck: TrainingCheck<FloatImage> = {
  async run(model, samples) {
    const recon = await model.reconstruct([...samples]);
    return collapseCheck(
      samples.map((s) => s.data),
      recon.map((r) => r.data),
    );
  },
};
