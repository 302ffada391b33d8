/**
 * @file `latentkit decode`: codes from a `.npy` (`[n, d]`, e.g. from `encode` or edited) back
 * into outputs (images, sentences, ...) with the model that made them.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { withExamples } from '../lib/examples.js';
import { UsageError } from '../lib/usage-error.js';

/** `decode` for the given modalities. */
export function decodeCommand(modalities: readonly ModalityDescriptor[]): CommandModule {
  return {
  command: 'decode',
  describe: 'decode a [n, d] .npy of codes into outputs (PNGs, sentences, ...)',
  builder: (y: Argv) =>
    withExamples(modalities, 'decode', y
      .option('model', { type: 'string', demandOption: true, describe: 'the model folder the codes belong to' })
      .option('in', { type: 'string', demandOption: true, describe: '.npy file of codes, shape [n, d]' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const input = reqString(argv, 'in');
    const [{ makeLatent }, { readCodes }, { modalityOfModel, writeOutputs }, { loadAnyModel }, { openOutputDir }] = await Promise.all([
      import('@latentkit/core'),
      import('../lib/codes.js'),
      import('../lib/modality-io.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
    ]);
    const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx));
    const codes = await readCodes(input);
    const model = await loadAnyModel(reqString(argv, 'model'));
    try {
      const d = modalityOfModel(ctx.modalities, model.config);
      if (d.rowDecoding) throw new UsageError(d.rowDecoding);
      const latents = Array.from({ length: codes.rows }, (_, i) =>
        makeLatent(codes.data.slice(i * codes.cols, (i + 1) * codes.cols), [codes.cols], d.name, model.config.kind),
      );
      const decoded = await model.decode(latents);
      await writeOutputs(d, out, decoded, { kind: 'decoded', width: 6 });
      if (d.codec.printable) for (const s of decoded) ctx.stdout.write(`${String(s)}\n`);
      else ctx.stdout.write(`decoded ${decoded.length} code(s) into ${out.display}\n`);
    } finally {
      model.dispose();
    }
  },
};
}
