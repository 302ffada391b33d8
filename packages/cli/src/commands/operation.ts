/**
 * @file Commands contributed by modalities (`convert-voice`, `denoise`, ...): each of a
 * descriptor's operations becomes a command whose options are the operation's settings, run
 * with the CLI's confined output writing, model loading and input reading.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor, ModalityOperation, OperationContext } from '@latentkit/core';
import type { Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { outputOptions } from '../lib/read-paths.js';
import { declareSettings, givenSettings } from '../lib/settings.js';
import { UsageError } from '../lib/usage-error.js';

/** The host side of an operation: what it may read and where it may write, as the CLI allows. */
function operationContext(d: ModalityDescriptor, argv: Args, ctx: CommandContext): OperationContext {
  // Outputs never land on or inside what the command reads (its path options and `inputs`).
  return {
    loadModel: async (dir) => (await import('../lib/models.js')).loadAnyModel(dir, d.name),
    readInputs: async (paths, config) => (await import('../lib/inputs.js')).readInputs(d, paths, config, ctx.progress),
    openOutputDir: async (path, inputs) => (await import('../lib/output.js')).openOutputDir(path, outputOptions(argv, ctx, inputs)),
    openOutputFile: async (path, inputs) => (await import('../lib/output.js')).openOutputFile(path, outputOptions(argv, ctx, inputs)),
    print: (line) => ctx.stdout.write(`${line}\n`),
    log: ctx.log,
  };
}

/**
 * One command for one modality's operation.
 * @param d the modality that offers it.
 * @param op the operation.
 */
export function operationCommand(d: ModalityDescriptor, op: ModalityOperation): CommandModule {
  return {
    command: op.name,
    describe: `${op.describe} (${d.name})`,
    builder: (y: Argv) => {
      let b = declareSettings(y, op.options.map((s) => [d.name, s] as const), { demand: true });
      for (const [cmd, what] of op.examples ?? []) b = b.example(cmd, what);
      return b;
    },
    async run(argv: Args, ctx: CommandContext): Promise<void> {
      const { InvalidArgumentError, resolveSettings } = await import('@latentkit/core');
      let settings;
      try {
        settings = resolveSettings(op.options, givenSettings(argv, op.options), 'option');
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw new UsageError(e.message.replace(/option '([^']+)'/, '--$1'));
        throw e;
      }
      await op.run(settings, operationContext(d, argv, ctx));
    },
  };
}
