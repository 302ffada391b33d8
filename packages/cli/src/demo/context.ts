/**
 * @file The demo host's side of a showcase: stages, progress on every fit, and PCA scatter
 * plots of codes written as SVG (core's scatterPlotSvg; no image library needed).
 */
import { PCA, scatterPlotSvg, toMatrix, type FitOptions, type LabelledCodes, type Matrix, type ShowcaseContext } from '@latentkit/core';
import { join } from 'node:path';
import type { OutputDir } from '../lib/output.js';
import { trainingProgress, type ProgressOptions } from '../lib/progress.js';
import type { StageRunner } from './stages.js';

/**
 * Projects codes to 2-D with PCA and renders a scatter plot coloured by class.
 * @param codes `n x d` codes.
 * @param labels display label of each row.
 * @param title plot title.
 * @returns SVG text and the share of variance the two components explain.
 */
export async function pcaScatter(codes: Matrix, labels: readonly (string | number)[], title: string): Promise<{ svg: string; explained: number }> {
  const m = toMatrix(codes);
  const pca = await PCA.fit(m, Math.min(2, m.cols, m.rows));
  const xy = pca.transform(m);
  const points = labels.map((label, i) => ({ x: xy.data[i * xy.cols], y: xy.cols > 1 ? xy.data[i * xy.cols + 1] : 0, label }));
  const explained = Array.from(pca.explainedVarianceRatio).reduce((a, b) => a + b, 0);
  return { svg: scatterPlotSvg(points, { title: `${title} (PCA, ${(explained * 100).toFixed(0)}% of variance)`, width: 560, height: 420 }), explained };
}

/** Builds the context a showcase runs in. */
export function showcaseContext(options: {
  out: OutputDir;
  quick: boolean;
  dataDir: string | undefined;
  seed: number;
  perClass: number;
  earlier: readonly LabelledCodes[];
  stages: StageRunner;
  progress: ProgressOptions;
  log(message: string): void;
}): ShowcaseContext {
  const { out, stages, progress } = options;
  return {
    out,
    quick: options.quick,
    dataDir: options.dataDir,
    seed: options.seed,
    perClass: options.perClass,
    earlier: options.earlier,
    stage: (name, budget, fn) => stages.run(name, budget, fn),
    fit: <S>(label: string, fit: FitOptions<S>): FitOptions<S> => {
      const bar = trainingProgress(label, progress);
      // The bar stops itself at the fit's 'end' event (also when a time limit ends it early).
      return { ...fit, onProgress: (e) => (bar.onProgress(e), e.type === 'end' && bar.stop(), fit.onProgress?.(e)) };
    },
    async plotCodes(file, codes, labels, title) {
      const { svg, explained } = await pcaScatter(codes, labels, title);
      const src = `${file}.svg`;
      await out.write(src, svg);
      return { src, explained };
    },
    async saveModel(name, model) {
      const dir = await out.subdir(join('models', name));
      await model.save(dir);
      return dir;
    },
    log: options.log,
  };
}
