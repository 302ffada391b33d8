/**
 * @file `latentkit encode <modality>`: turns inputs into codes and writes them as one float32
 * `.npy` of shape `[n, d]`, row `i` = input `i` (files in the order given, folders sorted by
 * name, files of lines line by line), or as JSON latents; and beside them a row manifest
 * (`codes.rows.csv`: row, source file or `file:line`, label from the dataset layout, sentence,
 * line) that says which input each row is. The manifest is written first and the codes last,
 * each atomically, so codes on disk always have a manifest at least as new beside them.
 */
import type { Argv } from 'yargs';
import type { Latent, ModalityDescriptor } from '@latentkit/core';
import { withExamples } from '../lib/examples.js';
import { outputOptions } from '../lib/read-paths.js';
import { optString, reqString, stringList, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';
import type { ReadRows } from '../lib/inputs.js';
import { encodeDistributed, isDistributed, withDistributedOptions } from '../lib/encode-distributed.js';

/** `encode` for the given modalities: `--part` offers their parts, `--pretrained` where one has encoders by name. */
export function encodeCommand(modalities: readonly ModalityDescriptor[]): CommandModule {
  const parts = [...new Set(modalities.flatMap((m) => m.parts.map((p) => p.name)))];
  const partHelp = modalities.filter((m) => m.parts.length).map((m) => `${m.name}: ${m.parts.map((p) => `${p.name} (${p.describe})`).join(', ')}`);
  const pretrained = modalities.filter((m) => m.pretrained).map((m) => `${m.name}: ${m.pretrained!.describe}`);
  const defaults = modalities.filter((m) => m.defaultModel).map((m) => `${m.name}: default ${m.defaultModel!.describe}`);
  return {
    command: 'encode <modality>',
    describe: `encode ${modalities.map((m) => `${m.codec.noun}s`).join(', ')} into a float32 .npy of shape [n, d]`,
    builder: (y: Argv) =>
      withDistributedOptions(withExamples(modalities, 'encode', y
        .positional('modality', { type: 'string', choices: modalities.map((m) => m.name), describe: 'what the inputs are' })
        .option('in', { type: 'string', array: true, demandOption: true, describe: `files or folders (sorted by name): ${modalities.map((m) => `${m.name}: ${m.codec.unit === 'line' ? `${m.codec.extensions.join('/')} files, one ${m.codec.noun} per line` : m.codec.extensions.join('/')}`).join('; ')}` })
        .option('out', { type: 'string', demandOption: true, describe: '.npy file to write (a name ending in .json writes the latents as JSON instead)' })
        .option('model', { type: 'string', describe: `model folder${defaults.length ? ` (${defaults.join('; ')})` : ''}` })
        .option('part', { type: 'string', choices: ['all', ...parts], describe: `one named part of the code, or all of it: ${partHelp.join('; ')} [default: all, or the part the modality names for the model]` })
        .option('pretrained', { type: 'string', describe: `a pretrained encoder instead of a model: ${pretrained.join('; ')}` }))),
    async run(argv: Args, ctx: CommandContext): Promise<void> {
      const [{ encodeNpy, formatRowsCsv, latentsToJSON, rowsManifestPath, stackLatents }, { modalityNamed, encodeWithProgress, selectNamedPart }, { readInputs, expandInputs }, { loadAnyModel }, { openOutputFile }, { inputRowRecords }] = await Promise.all([
        import('@latentkit/core'),
        import('../lib/modality-io.js'),
        import('../lib/inputs.js'),
        import('../lib/models.js'),
        import('../lib/output.js'),
        import('../lib/row-manifest.js'),
      ]);
      const d = modalityNamed(ctx.modalities, reqString(argv, 'modality'));
      const inputs = stringList(argv, 'in');
      if (inputs.length === 0) throw new UsageError('--in needs at least one file or folder.');
      const modelDir = optString(argv, 'model');
      const asked = optString(argv, 'part');
      const pretrainedName = optString(argv, 'pretrained');
      if (pretrainedName !== undefined && !d.pretrained) throw new UsageError(`--pretrained applies to ${modalities.filter((m) => m.pretrained).map((m) => m.name).join(', ') || 'no modality here'} only.`);
      if (pretrainedName !== undefined && modelDir !== undefined) throw new UsageError('Give --model or --pretrained, not both.');
      if (pretrainedName !== undefined && asked !== undefined && asked !== 'all') throw new UsageError(`--part ${asked} needs an autoencoder's code; a --pretrained encoder gives one code per input.`);
      if (asked !== undefined && asked !== 'all') selectNamedPart(ctx.modalities, d, [], asked); // an unknown part fails before any work
      if (!modelDir && pretrainedName === undefined && !d.defaultModel) {
        throw new UsageError(`encode ${d.name} needs --model: a folder written by \`latentkit train ${d.name}\`.`);
      }
      // Jobs on a queue, or one of N shards: see lib/encode-distributed.ts.
      if (isDistributed(argv)) return encodeDistributed(d, argv, ctx, { inputs, modelDir, part: asked });

      // The model read is an input too; the shipped default one is read when no --model is given.
      const defaultModelDir = !modelDir && pretrainedName === undefined ? d.defaultModel?.path : undefined;
      const read0 = [...(await expandInputs(inputs, d.codec.extensions, d.codec.noun)), ...(defaultModelDir ? [defaultModelDir] : [])];
      const out = await openOutputFile(reqString(argv, 'out'), outputOptions(argv, ctx, read0));
      const rowsName = rowsManifestPath(out.name);
      await out.dir.resolve(rowsName); // the manifest's place is checked before any work, like the codes'
      let latents: Latent[];
      let read: ReadRows<unknown>;
      if (pretrainedName !== undefined) {
        const encoder = await d.pretrained!.load(pretrainedName);
        try {
          read = await readInputs(d, inputs, undefined, ctx.progress);
          latents = await encodeWithProgress(encoder, read.samples, ctx.progress, d.encodeBatchSize);
        } finally {
          await encoder.dispose();
        }
      } else {
        const model = modelDir ? await loadAnyModel(modelDir, d.name) : await d.defaultModel!.load();
        const part = asked ?? d.defaultPart?.(model) ?? 'all';
        // Only the part written to a .npy is computed (a JSON file keeps every part).
        const wanted = /\.json$/i.test(out.name) ? undefined : part === 'all' ? [] : [d.parts.find((p) => p.name === part)!.latentPart];
        try {
          read = await readInputs(d, inputs, model.config, ctx.progress);
          latents = await encodeWithProgress(model, read.samples, ctx.progress, d.encodeBatchSize, wanted);
        } finally {
          model.dispose();
        }
        if (part !== 'all') latents = selectNamedPart(ctx.modalities, d, latents, part);
      }
      const batch = stackLatents(latents);
      const [n, ...rest] = batch.shape;
      const rowsWritten = await out.dir.write(rowsName, formatRowsCsv(await inputRowRecords(d, inputs, read)));
      if (/\.json$/i.test(out.name)) {
        // Parts over time (an audio content code) vary in length, so JSON keeps each latent whole.
        const written = await out.write(JSON.stringify(latentsToJSON(latents)) + '\n');
        ctx.stdout.write(`wrote ${written}: ${n} latents of [${rest.join(', ')}] as JSON\n`);
        ctx.stdout.write(`wrote ${rowsWritten}: which input each row is\n`);
        return;
      }
      const written = await out.write(encodeNpy({ data: batch.data, rows: n, cols: rest.reduce((a, b) => a * b, 1) }));
      ctx.stdout.write(`wrote ${written}: float32 [${n}, ${rest.reduce((a, b) => a * b, 1)}]\n`);
      ctx.stdout.write(`wrote ${rowsWritten}: which input each row is\n`);
    },
  };
}
