/**
 * @file `latentkit denoise`: cleans images with a denoising image model; `--noise` first
 * corrupts clean inputs (seeded) to show what the model removes.
 */
import type { Argv } from 'yargs';
import type { FloatImage } from '@latentkit/image';
import { optNumber, optString, reqString, stringList, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';
import { GRID_LIMIT, imageMse } from './reconstruct.js';
import { parseNoise } from './train.js';

export const denoiseCommand: CommandModule = {
  command: 'denoise',
  describe: 'clean noisy images with a denoising image model',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'image model folder (best: `train image --arch denoising`)' })
      .option('in', { type: 'string', array: true, demandOption: true, describe: 'image files or folders' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder (PNGs and grid.png)' })
      .option('noise', { type: 'string', describe: 'corrupt the inputs first: gaussian:σ, mask:p or salt-and-pepper:p' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of --noise' })
      .example('$0 denoise --model models/denoiser --in noisy/ --out clean/', 'denoise your noisy images')
      .example('$0 denoise --model models/denoiser --in digits/ --noise gaussian:0.5 --out demo/', 'add noise, then remove it'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const inputs = stringList(argv, 'in');
    if (inputs.length === 0) throw new UsageError('--in needs at least one file or folder.');
    const noiseSpec = optString(argv, 'noise');
    const noise = noiseSpec ? parseNoise(noiseSpec) : undefined;
    const seed = optNumber(argv, 'seed', { integer: true }) ?? 0;
    const [{ imageFiles, outputName, readImagesForModel }, { loadAnyModel }, { openOutputDir }] = await Promise.all([
      import('../lib/media.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
    ]);
    const model = await loadAnyModel(reqString(argv, 'model'), 'image');
    try {
      const image = await import('@latentkit/image');
      if (!model.config.corruption) {
        ctx.log(`note: ${reqString(argv, 'model')} was not trained as a denoising model; its output is a plain reconstruction`);
      }
      const files = await imageFiles(inputs);
      const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx, files));
      const clean = await readImagesForModel(files, model.config.inputShape as number[], ctx.progress);
      const noisy = noise ? image.corrupt(clean, noise, seed) : clean;
      const denoised = (await model.reconstruct(noisy)) as FloatImage[];
      for (let i = 0; i < denoised.length; i++) await out.write(outputName(i, files[i], '.png'), await image.encodePng(denoised[i]));
      const n = Math.min(GRID_LIMIT, clean.length);
      const rows = noise
        ? [
            { label: 'original', images: clean.slice(0, n) },
            { label: 'noisy', images: noisy.slice(0, n) },
            { label: 'denoised', images: denoised.slice(0, n) },
          ]
        : [
            { label: 'input', images: clean.slice(0, n) },
            { label: 'denoised', images: denoised.slice(0, n) },
          ];
      await out.write('grid.png', await image.makeGrid(rows));
      let line = `denoised ${denoised.length} image(s) into ${out.display}`;
      if (noise) {
        let before = 0;
        let after = 0;
        for (let i = 0; i < clean.length; i++) {
          before += imageMse(clean[i], noisy[i]);
          after += imageMse(clean[i], denoised[i]);
        }
        line += ` (mean squared error to the originals: noisy ${(before / clean.length).toFixed(5)}, denoised ${(after / clean.length).toFixed(5)})`;
      }
      ctx.stdout.write(`${line}\n`);
    } finally {
      model.dispose();
    }
  },
};
