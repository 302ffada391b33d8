/**
 * @file `latentkit decode`: codes from a `.npy` (`[n, d]`, e.g. from `encode` or edited) back
 * into outputs (images, sentences, ...) with the model that made them. The row manifest beside
 * the codes (`codes.rows.csv`, written by `encode`), or the one named by `--rows`, is checked
 * against the codes' row count and carried through: the output folder gets `rows.csv`, the
 * same rows (source, label, sentence, line, further columns) plus `output`, the file each row
 * was decoded to.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { optString, reqString, type Args } from '../lib/args.js';
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
      .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
      .option('rows', { type: 'string', describe: 'row manifest of the codes, carried to <out>/rows.csv [default: the .rows.csv beside --in, if any; none: read none]' })),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const input = reqString(argv, 'in');
    const [{ formatRowsCsv, makeLatent, rowsManifestPath }, { readCodes }, { modalityOfModel, writeOutputs }, { loadAnyModel }, { openOutputDir }, { carriedRecords, outputNames, OUTPUT_ROWS_NAME, readCodesManifest }] = await Promise.all([
      import('@latentkit/core'),
      import('../lib/codes.js'),
      import('../lib/modality-io.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
      import('../lib/row-manifest.js'),
    ]);
    const rowsOption = optString(argv, 'rows');
    const out = await openOutputDir(reqString(argv, 'out'), outputOptions(argv, ctx, [rowsManifestPath(input)]));
    await out.resolve(OUTPUT_ROWS_NAME); // fail before any work, like every output
    const codes = await readCodes(input);
    const rows = await readCodesManifest(input, rowsOption, codes.rows);
    const model = await loadAnyModel(reqString(argv, 'model'));
    try {
      const d = modalityOfModel(ctx.modalities, model.config);
      if (d.rowDecoding) throw new UsageError(d.rowDecoding);
      const latents = Array.from({ length: codes.rows }, (_, i) =>
        makeLatent(codes.data.slice(i * codes.cols, (i + 1) * codes.cols), [codes.cols], d.name, model.config.kind),
      );
      const decoded = await model.decode(latents);
      const written = await writeOutputs(d, out, decoded, { kind: 'decoded', width: 6 });
      const sources = new Array<string>(codes.rows).fill(input); // without a manifest, every row comes from the code file
      await out.write(OUTPUT_ROWS_NAME, formatRowsCsv(carriedRecords(rows?.manifest, sources, outputNames(d.codec.unit, written, decoded.length))));
      if (rows) ctx.log(`rows: ${rows.path} -> ${out.display}/${OUTPUT_ROWS_NAME}`);
      if (d.codec.printable) for (const s of decoded) ctx.stdout.write(`${String(s)}\n`);
      else ctx.stdout.write(`decoded ${decoded.length} code(s) into ${out.display}\n`);
    } finally {
      model.dispose();
    }
  },
};
}
