/**
 * @file What every demo part receives, and the shared figure helper (a PCA scatter plot of
 * codes coloured by class).
 */
import { PCA, toMatrix, type Matrix, type MatrixLike } from '@latentkit/core';
import type { OutputDir } from '../lib/output.js';
import type { ProgressOptions } from '../lib/progress.js';
import type { DemoPlan } from './plan.js';
import type { StageRunner } from './stages.js';

/** Shared state of one demo run. */
export interface DemoContext {
  out: OutputDir;
  plan: DemoPlan;
  /** `--data` folder (shared/data layout), or undefined for the embedded synthetic data. */
  data: string | undefined;
  seed: number;
  stages: StageRunner;
  progress: ProgressOptions;
  log(message: string): void;
}

/** Codes of one modality with the class of each row, for scatter plots and comparisons. */
export interface LabelledCodes {
  /** Short name, e.g. `image (conv AE)`. */
  name: string;
  codes: Matrix;
  /** Class index of each row (negative: unlabelled). */
  labels: number[];
  classNames: string[];
  /** What the classes are, e.g. `digit` or `vowel sequence`. */
  concept: string;
}

/**
 * Projects codes to 2-D with PCA and renders a scatter plot coloured by class.
 * @param codes `n x d` codes.
 * @param labels display label of each row.
 * @param title plot title.
 * @returns PNG bytes and the share of variance the two components explain.
 */
export async function pcaScatter(codes: MatrixLike, labels: readonly (string | number)[], title: string): Promise<{ png: Uint8Array; explained: number }> {
  const image = await import('@latentkit/image');
  const m = toMatrix(codes);
  const pca = await PCA.fit(m, Math.min(2, m.cols, m.rows));
  const xy = pca.transform(m);
  const points = labels.map((label, i) => ({ x: xy.data[i * xy.cols], y: xy.cols > 1 ? xy.data[i * xy.cols + 1] : 0, label }));
  const explained = Array.from(pca.explainedVarianceRatio).reduce((a, b) => a + b, 0);
  const png = await image.scatterPlotPng(points, { title: `${title} (PCA, ${(explained * 100).toFixed(0)}% of variance)`, width: 560, height: 420 });
  return { png, explained };
}
