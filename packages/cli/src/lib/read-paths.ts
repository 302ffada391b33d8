/**
 * @file What a command reads, gathered from its arguments in one place, so that every command
 * protects its inputs the same way: the output checks of output.ts refuse to overwrite any of
 * these or to write inside any of these folders. A command only passes what it reads beyond its
 * arguments (the files a folder expanded to, a default model).
 */
import { stringList, type Args } from './args.js';
import type { CommandContext } from './context.js';
import type { OutputOptions } from './output.js';

/**
 * Options whose values are paths a command reads: model folders, data folders, input files and
 * folders, recordings, a pretrained folder, code files. A value that names no existing path
 * (`--pretrained tiny`, a hub id) protects nothing and costs nothing.
 */
export const READ_OPTIONS: readonly string[] = ['model', 'data', 'in', 'source', 'target', 'pretrained', 'a', 'b', 'rows'];

/**
 * The {@link OutputOptions} of one command run: its `--out-root`, and as inputs every path
 * given to a {@link READ_OPTIONS} option plus `extra`.
 * @param argv the parsed arguments.
 * @param ctx the command context (for `--out-root`).
 * @param extra further paths the command reads (e.g. the files `--in` folders expanded to).
 * @returns options for openOutputDir / openOutputFile.
 * @example
 * ```ts
 * const out = await openOutputFile(reqString(argv, 'out'), outputOptions(argv, ctx, files));
 * ```
 */
export function outputOptions(argv: Args, ctx: Pick<CommandContext, 'outRoot'>, extra: readonly string[] = []): OutputOptions {
  const inputs = READ_OPTIONS.flatMap((name) => stringList(argv, name));
  return { root: ctx.outRoot, inputs: [...inputs, ...extra] };
}
