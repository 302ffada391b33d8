/**
 * @file The image benchmark's user-path check (issue 17): 500 MNIST test digits written as PNGs
 * in class folders (in a temporary folder, never the repository), trained on with the `default`
 * recipe twice, once by calling the recipe and once with `latentkit train image --data <folder>`
 * with no other flag, exactly as a user would. Each model's reconstructions of the 500 digits are
 * then read by an independent judge, 5-NN on raw pixels fit on MNIST train (images no model saw),
 * and scored by how often it reads the right digit. Target: >= 80% through the CLI.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initEngine } from '@latentkit/core';
import { imageFolderLayout, imageTrainingCheck, loadMnist, readImage, trainImageDefault, writePng } from '@latentkit/image';
import { parseCollapseLine, runCliOk, withTempDir } from './cli-train.js';
import { accuracy, knnPredict, type KnnReference } from './pixel-knn.js';

/** One way of training, with the judge's verdict. */
export interface DigitFolderRow {
  path: string;
  command: string;
  judge_accuracy: number;
  collapse_error_ratio: number;
  collapse_spread_ratio: number;
  collapse_status: string;
  epochs: number;
  train_s: number;
}

const COUNT = 500;
const K = 5;

/** Label of a file named `<index>_<digit>.png` (the CLI keeps the stem in its output names). */
function labelOf(file: string): number {
  const m = /_(\d)\.png$/.exec(file);
  if (!m) throw new Error(`${file}: no _<digit>.png suffix`);
  return Number(m[1]);
}

/**
 * Writes the first `COUNT` MNIST test digits as `<root>/<digit>/<index>_<digit>.png`.
 * @returns the folder.
 */
async function writeDigits(mnistDir: string, root: string): Promise<string> {
  const test = await loadMnist(mnistDir, 'test', { limit: COUNT });
  const dir = join(root, 'digits');
  for (let i = 0; i < test.images.length; i++) {
    const name = test.classNames[test.labels[i]];
    await mkdir(join(dir, name), { recursive: true });
    await writePng(join(dir, name, `${String(i).padStart(4, '0')}_${name}.png`), test.images[i]);
  }
  return dir;
}

/**
 * Runs the comparison.
 * @param mnistDir the MNIST folder (IDX files) of the data folder.
 * @param log progress lines.
 * @returns a row for the recipe call and one for the CLI, and the folder layout used.
 */
export async function digitFolderComparison(mnistDir: string, log: (m: string) => void): Promise<{ rows: DigitFolderRow[]; digits: number; judge: string }> {
  await initEngine();
  const train = await loadMnist(mnistDir, 'train');
  const ref: KnnReference = { vectors: train.images.map((im) => im.data), labels: train.labels };
  const judge = `${K}-NN on raw pixels, fit on MNIST train (${train.images.length} images)`;
  return withTempDir('lk-bench-digits-', async (tmp) => {
    const dir = await writeDigits(mnistDir, tmp);
    const rows: DigitFolderRow[] = [];

    // 1. The recipe, called as the bench calls it: the folder read by the same layout, CLI's default seed.
    log(`-- ${COUNT} MNIST test digits as PNGs (${dir}): recipe 'default' called directly`);
    const data = await imageFolderLayout.load(dir, {});
    const t0 = performance.now();
    const { model, history } = await trainImageDefault(data, { fit: { seed: 42 }, log });
    try {
      const seconds = (performance.now() - t0) / 1000;
      const recon = await model.reconstruct(data.samples);
      // The folder loader keeps class order; its labels are the folder names.
      const truth = data.labels.class.values.map((v) => Number(data.labels.class.names[v]));
      const verdict = await imageTrainingCheck.run(model, data.samples);
      rows.push({
        path: 'recipe call',
        command: "trainImageDefault(imageFolderLayout.load(dir), { fit: { seed: 42 } })",
        judge_accuracy: accuracy(knnPredict(ref, recon.map((r) => r.data), K), truth),
        collapse_error_ratio: verdict.errorRatio,
        collapse_spread_ratio: verdict.spreadRatio,
        collapse_status: verdict.status,
        epochs: history.epochs.length,
        train_s: seconds,
      });
    } finally {
      model.dispose();
    }

    // 2. The CLI with defaults, as a user types it.
    log(`-- the same folder through the CLI: latentkit train image --data <folder> --out <model>`);
    const modelDir = join(tmp, 'model');
    const trained = await runCliOk(['train', 'image', '--data', dir, '--out', modelDir], { onLine: (l) => /epochs? in|training|steps/.test(l) && log(`   ${l}`) });
    const check = parseCollapseLine(trained.stdout);
    log(`   ${check?.line ?? 'no collapse check line printed'}`);
    const reconDir = join(tmp, 'recon');
    await runCliOk(['reconstruct', '--model', modelDir, '--in', dir, '--out', reconDir]);
    const files = (await readdir(reconDir)).filter((f) => /^\d+-.*_\d\.png$/.test(f)).sort();
    if (files.length !== COUNT) throw new Error(`latentkit reconstruct wrote ${files.length} digit PNGs, expected ${COUNT}.`);
    const recon = await Promise.all(files.map(async (f) => (await readImage(join(reconDir, f), { channels: 1 })).data));
    const epochs = /\((\d+) epochs/.exec(trained.stdout);
    rows.push({
      path: 'latentkit CLI, defaults',
      command: 'latentkit train image --data <folder> --out <model> && latentkit reconstruct --model <model> --in <folder> --out <recon>',
      judge_accuracy: accuracy(knnPredict(ref, recon, K), files.map(labelOf)),
      collapse_error_ratio: check?.errorRatio ?? NaN,
      collapse_spread_ratio: check?.spreadRatio ?? NaN,
      collapse_status: check?.status ?? 'none',
      epochs: epochs ? Number(epochs[1]) : NaN,
      train_s: trained.seconds,
    });
    return { rows, digits: COUNT, judge };
  });
}
