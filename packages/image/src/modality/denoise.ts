/**
 * @file The `denoise` operation of the image modality: cleans images with a (denoising) image
 * model; `noise` first corrupts clean inputs, seeded, to show what the model removes.
 */
import { outputFileName, type ModalityOperation } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { makeGrid } from '../io/grid.js';
import { encodePng } from '../io/write-image.js';
import { mse } from '../metrics/image-metrics.js';
import { corrupt, parseCorruption } from '../models/corruption.js';
import { OVERVIEW_LIMIT } from './codec.js';

/** `latentkit denoise`: images in, cleaned images (PNG) and a comparison grid out. */
export const denoiseOperation: ModalityOperation = {
  name: 'denoise',
  describe: 'clean noisy images with a denoising image model',
  options: [
    { name: 'model', type: 'string', required: true, describe: 'image model folder (best: `train image --arch denoising`)' },
    { name: 'in', type: 'strings', required: true, describe: 'image files or folders' },
    { name: 'out', type: 'string', required: true, describe: 'output folder (PNGs and grid.png)' },
    { name: 'noise', type: 'string', describe: 'corrupt the inputs first: gaussian:σ, mask:p or salt-and-pepper:p' },
    { name: 'seed', type: 'number', integer: true, default: 0, describe: 'seed of --noise' },
  ],
  examples: [
    ['$0 denoise --model models/denoiser --in noisy/ --out clean/', 'denoise your noisy images'],
    ['$0 denoise --model models/denoiser --in digits/ --noise gaussian:0.5 --out demo/', 'add noise, then remove it'],
  ],
  async run(s, ctx) {
    const noise = typeof s.noise === 'string' ? parseCorruption(s.noise) : undefined;
    const model = await ctx.loadModel(s.model as string);
    try {
      if (!model.config.corruption) {
        ctx.log(`note: ${String(s.model)} was not trained as a denoising model; its output is a plain reconstruction`);
      }
      const read = await ctx.readInputs(s.in as string[], model.config);
      const out = await ctx.openOutputDir(s.out as string, read.files);
      const clean = read.samples as FloatImage[];
      const noisy = noise ? corrupt(clean, noise, s.seed as number) : clean;
      const denoised = (await model.reconstruct(noisy)) as FloatImage[];
      for (let i = 0; i < denoised.length; i++) await out.write(outputFileName(i, read.names[i], '.png'), await encodePng(denoised[i]));
      const n = Math.min(OVERVIEW_LIMIT, clean.length);
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
      await out.write('grid.png', await makeGrid(rows));
      let line = `denoised ${denoised.length} image(s) into ${out.display}`;
      if (noise) {
        line += ` (mean squared error to the originals: noisy ${mse(clean, noisy).toFixed(5)}, denoised ${mse(clean, denoised).toFixed(5)})`;
      }
      ctx.print(line);
    } finally {
      model.dispose();
    }
  },
};
