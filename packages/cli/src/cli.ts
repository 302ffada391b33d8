/**
 * @file The `latentkit` command line as a function: parses arguments with yargs, runs one
 * command, and turns any failure into a one-line message and a non-zero exit code. bin.ts is
 * only the process wrapper around {@link runCli}; tests can call it in-process too.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { collectCommand } from './commands/collect.js';
import { compareCommand } from './commands/compare.js';
import { decodeCommand } from './commands/decode.js';
import { demoCommand } from './commands/demo.js';
import { encodeCommand } from './commands/encode.js';
import { exploreCommand } from './commands/explore.js';
import { indexCommand } from './commands/index.js';
import { operationCommand } from './commands/operation.js';
import { reconstructCommand } from './commands/reconstruct.js';
import { serveCommand } from './commands/serve.js';
import { searchCommand } from './commands/search.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import { UsageError } from './lib/usage-error.js';
import type { CommandContext, CommandModule } from './lib/context.js';

/**
 * Every command for the given modalities, in the order `--help` lists them: the generic ones,
 * then each modality's operations (`denoise`, `convert-voice`, ...), then `serve`, `compare` and `demo`.
 * @param modalities registered modality descriptors.
 * @returns the commands.
 * @throws {UsageError} when an operation's name repeats a command's.
 */
export function commandsFor(modalities: readonly ModalityDescriptor[]): CommandModule[] {
  const ops = modalities.flatMap((m) => (m.operations ?? []).map((op) => operationCommand(m, op)));
  const all = [trainCommand(modalities), encodeCommand(modalities), decodeCommand(modalities), reconstructCommand(modalities), ...ops, serveCommand(modalities), workerCommand, collectCommand, indexCommand, searchCommand, compareCommand, exploreCommand, demoCommand(modalities)];
  const names = all.map((c) => c.command.split(' ')[0]);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`Two commands are called '${dup}': a modality's operation repeats a command's name.`);
  return all;
}

/** Commands that need no modality: these stay fast (no tfjs, no sharp). */
const WITHOUT_MODALITIES = new Set(['compare', 'explore']);

/** `--modality-package` values, read before parsing (the commands depend on them). */
function modalityPackagesIn(args: readonly string[]): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === '--modality-package' && args[i + 1] !== undefined) out.push(args[i + 1]);
    else if (a.startsWith('--modality-package=')) out.push(a.slice('--modality-package='.length));
  });
  return out;
}

/** Streams {@link runCli} prints to. */
export interface RunCliOptions {
  /** @default process.stdout */
  stdout?: NodeJS.WritableStream;
  /** @default process.stderr */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

const VERSION = '0.1.0';

/**
 * Runs the `latentkit` command line.
 * @param args the arguments after the program name, e.g. `['encode', 'text', '--in', 's.txt', '--out', 's.npy']`.
 * @param options output streams.
 * @returns the exit code: 0 on success, 1 on a failure, 2 on a usage mistake.
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const verbose = args.includes('--verbose');
  let failure: unknown;
  let ran = false;

  const contextOf = (argv: Record<string, unknown>): CommandContext => {
    const quiet = argv.quiet === true;
    return {
      stdout,
      stderr,
      verbose,
      quiet,
      outRoot: typeof argv['out-root'] === 'string' ? argv['out-root'] : undefined,
      progress: { stream: stderr, quiet },
      log: (m) => {
        if (!quiet) stderr.write(`${m}\n`);
      },
      modalities,
    };
  };

  const first = args.find((a) => !a.startsWith('-'));
  let modalities: ModalityDescriptor[] = [];
  if (!(first !== undefined && WITHOUT_MODALITIES.has(first)) && !args.includes('--version')) {
    try {
      modalities = await (await import('./modalities.js')).loadModalities(modalityPackagesIn(args));
    } catch (e) {
      const { formatError } = await import('./lib/errors.js');
      stderr.write(formatError(e, verbose));
      return 1;
    }
  }
  const commands = modalities.length ? commandsFor(modalities) : [compareCommand, exploreCommand];

  let parser: Argv = yargs(args)
    .scriptName('latentkit')
    .usage('$0 <command> [options]\n\nAutoencoders for images, speech and text: train, encode, decode, compare, demo.')
    .option('verbose', { type: 'boolean', default: false, describe: 'print stack traces on errors', global: true })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress or status lines', global: true })
    .option('out-root', {
      type: 'string',
      describe: 'confine every output to this folder (--out is taken relative to it and may not leave it)',
      global: true,
    })
    .option('backend', {
      type: 'string',
      choices: ['node', 'ort', 'wasm', 'cpu'],
      describe: 'engine: node (tfjs-node), ort (training compiled for onnxruntime-node, layers on wasm), wasm or cpu (default: the fastest that loads; also LATENTKIT_BACKEND)',
      global: true,
    })
    .option('modality-package', {
      type: 'string',
      array: true,
      describe: 'also load this modality package (a package name or a path to a module exporting `modality`; also LATENTKIT_MODALITY_PACKAGES=a,b)',
      global: true,
    })
    .middleware((argv) => {
      if (typeof argv.backend === 'string') process.env.LATENTKIT_BACKEND = argv.backend;
    });
  for (const c of commands) {
    parser = parser.command(c.command, c.describe, c.builder, async (argv) => {
      ran = true;
      try {
        await c.run(argv, contextOf(argv));
      } catch (e) {
        failure = e;
      }
    });
  }
  parser = parser
    .demandCommand(1, 'Name a command.')
    .strict()
    .help()
    .alias('help', 'h')
    .version(VERSION)
    .wrap(Math.min(110, (stdout as { columns?: number }).columns ?? 100))
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message ?? 'Invalid command line.');
    })
    .epilogue('Run `latentkit <command> --help` for the options and examples of a command. Docs: README.md.');

  try {
    await parser.parseAsync();
  } catch (e) {
    failure = e instanceof UsageError || !(e instanceof Error) || ran ? e : new UsageError(e.message);
  }
  if (failure !== undefined) {
    const { formatError } = await import('./lib/errors.js');
    stderr.write(formatError(failure, verbose));
    const usage = failure instanceof UsageError;
    return usage ? 2 : 1;
  }
  return 0;
}
