/**
 * @file `latentkit reconstruct`: encode and decode inputs with a trained model and write what
 * comes back (PNGs and a comparison grid, WAVs, or sentences).
 */
import type { Argv } from 'yargs';
import type { FloatImage } from '@latentkit/image';
import { reqString, stringList, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

/** Most images a comparison grid shows. */
export const GRID_LIMIT = 16;

/** Mean squared difference between two images of the same size. */
export function imageMse(a: FloatImage, b: FloatImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return s / a.data.length;
}

export const reconstructCommand: CommandModule = {
  command: 'reconstruct',
  describe: 'encode and decode inputs with a trained model (images, WAVs or sentences)',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'model folder (from `latentkit train`)' })
      .option('in', { type: 'string', array: true, demandOption: true, describe: 'image/WAV files or folders, or a text file (one sentence per line)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .example('$0 reconstruct --model models/glyphs --in digits/ --out recon/', 'PNGs of the reconstructions plus recon/grid.png')
      .example('$0 reconstruct --model models/voices --in a.wav --out recon/', 'the WAV as the speech AE hears it')
      .example('$0 reconstruct --model models/sentences --in s.txt --out recon/', 'recon/reconstructions.txt'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const modelDir = reqString(argv, 'model');
    const inputs = stringList(argv, 'in');
    if (inputs.length === 0) throw new UsageError('--in needs at least one file or folder.');
    const [{ readSentences }, { imageFiles, outputName, readClips, readImagesForModel, wavFiles }, { loadAnyModel }, { openOutputDir }] = await Promise.all([
      import('../lib/inputs.js'),
      import('../lib/media.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
    ]);
    const model = await loadAnyModel(modelDir);
    try {
      const modality = String(model.config.modality);
      if (modality === 'image') {
        const shape = model.config.inputShape as number[];
        const files = await imageFiles(inputs);
        const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx, files));
        const images = await readImagesForModel(files, shape, ctx.progress);
        const recon = (await model.reconstruct(images)) as FloatImage[];
        const image = await import('@latentkit/image');
        let mse = 0;
        for (let i = 0; i < recon.length; i++) {
          mse += imageMse(images[i], recon[i]);
          await out.write(outputName(i, files[i], '.png'), await image.encodePng(recon[i]));
        }
        const n = Math.min(GRID_LIMIT, images.length);
        await out.write(
          'grid.png',
          await image.makeGrid([
            { label: 'input', images: images.slice(0, n) },
            { label: 'reconstruction', images: recon.slice(0, n) },
          ]),
        );
        ctx.stdout.write(`reconstructed ${images.length} image(s) into ${out.display} (mean squared error ${(mse / images.length).toFixed(5)})\n`);
      } else if (modality === 'audio') {
        const audio = await import('@latentkit/audio');
        const files = await wavFiles(inputs);
        const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx, files));
        const clips = await readClips(files, ctx.progress);
        const recon = (await model.reconstruct(clips)) as import('@latentkit/audio').AudioClip[];
        for (let i = 0; i < recon.length; i++) await out.write(outputName(i, files[i], '.wav'), audio.encodeWav16(recon[i]));
        ctx.stdout.write(`reconstructed ${recon.length} clip(s) into ${out.display}\n`);
      } else if (modality === 'text') {
        const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx));
        const sentences: string[] = [];
        for (const f of inputs) sentences.push(...(await readSentences(f)));
        const recon = (await model.reconstruct(sentences)) as string[];
        await out.write('reconstructions.txt', recon.join('\n') + '\n');
        sentences.forEach((s, i) => ctx.stdout.write(`${s}\n  -> ${recon[i]}\n`));
        ctx.log(`wrote ${out.display}/reconstructions.txt`);
      } else {
        throw new UsageError(`reconstruct does not handle ${model.config.kind} models.`);
      }
    } finally {
      model.dispose();
    }
  },
};
