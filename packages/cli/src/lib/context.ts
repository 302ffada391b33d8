/**
 * @file What every command receives besides its arguments: where to print, whether to be
 * quiet or verbose, and the output root that confines its writes.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import type { Args } from './args.js';
import type { ProgressOptions } from './progress.js';

/** Streams and global options of one CLI run. */
export interface CommandContext {
  /** Results (tables, numbers) go here. */
  stdout: NodeJS.WritableStream;
  /** Progress, status lines and errors go here. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  verbose: boolean;
  quiet: boolean;
  /** `--out-root`: every output must resolve inside it. */
  outRoot: string | undefined;
  /** Options for progress bars and lines. */
  progress: ProgressOptions;
  /** A status line on stderr (suppressed by `--quiet`). */
  log(message: string): void;
  /** The registered modalities (built-in and `--modality-package`), in order. */
  modalities: readonly ModalityDescriptor[];
}

/** One `latentkit` sub-command, in its own file under commands/. */
export interface CommandModule {
  /** yargs command string, e.g. `encode <modality>`. */
  command: string;
  describe: string;
  builder(y: Argv): Argv;
  run(argv: Args, ctx: CommandContext): Promise<void>;
}
