/**
 * @file `latentkit reconstruct`: encode and decode inputs with a trained model and write what
 * comes back (one file per input and a comparison figure, or a file of lines), and `rows.csv`:
 * the row manifest `encode` would write for the same inputs, plus `output`, the file each row
 * was reconstructed to.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { reqString, stringList, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { withExamples } from '../lib/examples.js';
import { UsageError } from '../lib/usage-error.js';

/** `reconstruct` for the given modalities. */
export function reconstructCommand(modalities: readonly ModalityDescriptor[]): CommandModule {
  return {
  command: 'reconstruct',
  describe: 'encode and decode inputs with a trained model (images, WAVs, sentences, ...)',
  builder: (y: Argv) =>
    withExamples(modalities, 'reconstruct', y
      .option('model', { type: 'string', demandOption: true, describe: 'model folder (from `latentkit train`)' })
      .option('in', { type: 'string', array: true, demandOption: true, describe: 'input files or folders the model\'s modality reads (see `encode --help`)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const modelDir = reqString(argv, 'model');
    const inputs = stringList(argv, 'in');
    if (inputs.length === 0) throw new UsageError('--in needs at least one file or folder.');
    const [{ formatRowsCsv }, { readInputs }, { modalityOfModel, writeOutputs }, { loadAnyModel }, { openOutputDir }, { inputRowRecords, outputNames, OUTPUT_ROWS_NAME }] = await Promise.all([
      import('@latentkit/core'),
      import('../lib/inputs.js'),
      import('../lib/modality-io.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
      import('../lib/row-manifest.js'),
    ]);
    const model = await loadAnyModel(modelDir);
    try {
      const d = modalityOfModel(ctx.modalities, model.config);
      const read = await readInputs(d, inputs, model.config, ctx.progress);
      const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx, read.files));
      await out.resolve(OUTPUT_ROWS_NAME);
      const recon = await model.reconstruct(read.samples);
      const written = await writeOutputs(d, out, recon, { kind: 'reconstructions', names: read.names, inputs: read.samples });
      const names = outputNames(d.codec.unit, written, recon.length);
      const records = (await inputRowRecords(d, inputs, read)).map((r, i) => ({ ...r, extra: { ...r.extra, output: names[i] } }));
      written.push(await out.write(OUTPUT_ROWS_NAME, formatRowsCsv(records)));
      if (d.codec.printable) {
        read.samples.forEach((s, i) => ctx.stdout.write(`${String(s)}\n  -> ${String(recon[i])}\n`));
        ctx.log(`wrote ${written.join(', ')}`);
        return;
      }
      let line = `reconstructed ${recon.length} ${d.codec.noun}(s) into ${out.display}`;
      const dist = d.codec.distance;
      if (dist && recon.length > 0) {
        let sum = 0;
        for (let i = 0; i < recon.length; i++) sum += dist.between(read.samples[i], recon[i]);
        line += ` (${dist.name} ${(sum / recon.length).toFixed(5)})`;
      }
      ctx.stdout.write(`${line}\n`);
    } finally {
      model.dispose();
    }
  },
};
}
