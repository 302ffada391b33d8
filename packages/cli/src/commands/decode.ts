/**
 * @file `latentkit decode`: codes from a `.npy` (`[n, d]`, e.g. from `encode` or edited) back
 * into images or sentences with the model that made them.
 */
import type { Argv } from 'yargs';
import type { FloatImage } from '@latentkit/image';
import { reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';
import { GRID_LIMIT } from './reconstruct.js';

export const decodeCommand: CommandModule = {
  command: 'decode',
  describe: 'decode a [n, d] .npy of codes into images (PNG) or sentences',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'the image or text model folder the codes belong to' })
      .option('in', { type: 'string', demandOption: true, describe: '.npy file of codes, shape [n, d]' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .example('$0 decode --model models/glyphs --in digits.npy --out decoded/', 'one PNG per row plus decoded/grid.png')
      .example('$0 decode --model models/sentences --in codes.npy --out decoded/', 'decoded/decoded.txt, one sentence per row')
      .epilogue('Speech models decode a content code over time plus a speaker code; use reconstruct or convert-voice for audio.'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const input = reqString(argv, 'in');
    const [{ makeLatent }, { readCodes }, { outputName }, { loadAnyModel }, { openOutputDir }] = await Promise.all([
      import('@latentkit/core'),
      import('../lib/codes.js'),
      import('../lib/media.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
    ]);
    const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx));
    const codes = await readCodes(input);
    const model = await loadAnyModel(reqString(argv, 'model'));
    try {
      const modality = String(model.config.modality);
      if (modality === 'audio') {
        throw new UsageError('Speech models decode a content code over time plus a speaker code, which a [n, d] .npy does not hold; use reconstruct or convert-voice.');
      }
      const latents = Array.from({ length: codes.rows }, (_, i) =>
        makeLatent(codes.data.slice(i * codes.cols, (i + 1) * codes.cols), [codes.cols], modality, model.config.kind),
      );
      const decoded = await model.decode(latents);
      if (modality === 'image') {
        const image = await import('@latentkit/image');
        const images = decoded as FloatImage[];
        for (let i = 0; i < images.length; i++) await out.write(outputName(i, 'decoded', '.png', 6), await image.encodePng(images[i]));
        await out.write('grid.png', await image.makeGrid([{ label: 'decoded', images: images.slice(0, GRID_LIMIT) }]));
        ctx.stdout.write(`decoded ${images.length} code(s) into ${out.display}\n`);
      } else if (modality === 'text') {
        const sentences = decoded as string[];
        await out.write('decoded.txt', sentences.join('\n') + '\n');
        for (const s of sentences) ctx.stdout.write(`${s}\n`);
      } else {
        throw new UsageError(`decode does not handle ${model.config.kind} models.`);
      }
    } finally {
      model.dispose();
    }
  },
};
