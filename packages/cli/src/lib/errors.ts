/**
 * @file How the CLI reports a failure: one line `latentkit: <message>`, one `hint:` line, no
 * stack trace unless `--verbose`. Messages come from the error; hints from the error when it
 * carries one, else from its class (most specific first), so every LatentkitError reads well.
 */
import {
  AbortError,
  BackendUnavailableError,
  ChecksumMismatchError,
  DatasetError,
  DecodeError,
  EmptyInputError,
  InputTooLargeError,
  InvalidArgumentError,
  LatentkitError,
  ModelChangedError,
  ModelFormatError,
  ModelSaveError,
  NonFiniteWeightsError,
  ModelMismatchError,
  ModelNotFoundError,
  NonFiniteLossError,
  PathEscapeError,
  ShapeMismatchError,
  UnknownModelKindError,
  UnsupportedFormatError,
  UnsupportedFormatVersionError,
} from '@latentkit/core';
import { UsageError } from './usage-error.js';

export { UsageError };

type ErrorClass = abstract new (...args: never[]) => Error;

// Most specific classes first: the first `instanceof` match gives the hint.
const HINTS: readonly [ErrorClass, string][] = [
  [UsageError, 'Run `latentkit --help` or `latentkit <command> --help` for the options and examples.'],
  [PathEscapeError, 'Outputs stay inside --out (and --out-root): no "..", no absolute names, no --out that is a symbolic link, no links inside it that lead out.'],
  [NonFiniteWeightsError, 'The model diverged when it was trained (NaN or infinite weights): train it again, e.g. with a lower --lr.'],
  [ModelChangedError, 'Other processes kept saving into the model folder while it was read; try again when they are done.'],
  [ModelSaveError, 'The model could not be written: check free space and permissions of --out.'],
  [ChecksumMismatchError, 'The model folder was changed or damaged after it was saved; save or train it again.'],
  [ModelMismatchError, 'The folder holds another kind of model; check --model.'],
  [UnsupportedFormatVersionError, 'The model was saved by another latentkit release; re-save it with this one.'],
  [ModelFormatError, 'Check --model: it must be a folder written by `latentkit train` or a model save().'],
  [UnknownModelKindError, 'This latentkit CLI does not know that model kind; check --model.'],
  [ModelNotFoundError, 'Check the name or path; offline, give a local model folder.'],
  [UnsupportedFormatError, 'Convert the file to a supported format (PNG/JPEG/WebP/GIF/TIFF images, PCM WAV audio).'],
  [DecodeError, 'Check that the file is complete and of the expected type.'],
  [InputTooLargeError, 'Use a smaller input (fewer pixels, a shorter clip, a smaller file).'],
  [EmptyInputError, 'Give a non-empty input.'],
  [ShapeMismatchError, 'The input does not fit the model: check --model and the input files.'],
  [DatasetError, 'Check --data: see `latentkit train --help` for the layouts it reads.'],
  [NonFiniteLossError, 'Lower --lr, or check the training data for NaN/Inf values.'],
  [BackendUnavailableError, 'Unset LATENTKIT_BACKEND (or --backend) to let latentkit pick a backend that loads.'],
  [AbortError, 'The run was interrupted before it finished.'],
  [InvalidArgumentError, 'Run `latentkit <command> --help` for the valid values.'],
];

const NODE_CODES: Record<string, [string, string]> = {
  ENOENT: ['no such file or folder', 'Check the path.'],
  EACCES: ['permission denied', 'Check the file permissions, or choose another path.'],
  EPERM: ['operation not permitted', 'Check the file permissions, or choose another path.'],
  EISDIR: ['is a folder, expected a file', 'Give a file path.'],
  ENOTDIR: ['a part of the path is not a folder', 'Check the path.'],
  ENOSPC: ['no space left on the device', 'Free some disk space or choose another --out.'],
  EROFS: ['read-only file system', 'Choose another --out.'],
  EMFILE: ['too many open files', 'Process fewer files at once.'],
};

/** What the CLI prints for an error. */
export interface DescribedError {
  /** One line, without the `latentkit:` prefix. */
  message: string;
  hint: string;
  /** Process exit code: 2 for usage mistakes, 1 otherwise. */
  exitCode: number;
  /** Stable error code (`LK_...`, or a Node code such as `ENOENT`). */
  code: string;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * Turns any thrown value into a one-line message, a hint and an exit code.
 * @param error whatever was thrown.
 * @returns the message (one line), hint and exit code.
 * @example
 * ```ts
 * describeError(new PathEscapeError('x leads out')).hint; // 'Outputs stay inside --out ...'
 * ```
 */
export function describeError(error: unknown): DescribedError {
  if (error instanceof UsageError) {
    return { message: oneLine(error.message), hint: oneLine(error.hint ?? HINTS[0][1]), exitCode: 2, code: error.code };
  }
  if (error instanceof LatentkitError) {
    let message = oneLine(error.message);
    if (error.file && !message.includes(error.file)) message = `${error.file}: ${message}`;
    const hint = error.hint ?? HINTS.find(([cls]) => error instanceof cls)?.[1] ?? 'Run with --verbose for details.';
    return { message, hint: oneLine(hint), exitCode: 1, code: error.code };
  }
  const e = error as NodeJS.ErrnoException | undefined;
  if (e && typeof e === 'object' && typeof e.code === 'string' && NODE_CODES[e.code]) {
    const [what, hint] = NODE_CODES[e.code];
    return { message: e.path ? `${e.path}: ${what}` : oneLine(e.message), hint, exitCode: 1, code: e.code };
  }
  const message = error instanceof Error ? oneLine(error.message) || error.name : oneLine(String(error));
  return { message: `unexpected error: ${message}`, hint: 'Run with --verbose for the stack trace.', exitCode: 1, code: 'LK_INTERNAL' };
}

/**
 * Formats an error for stderr: `latentkit: <message>` and `hint: <hint>`, plus the stack and
 * causes when `verbose`.
 * @param error whatever was thrown.
 * @param verbose include the stack trace.
 * @returns the text to print (ends with a newline).
 */
export function formatError(error: unknown, verbose = false): string {
  const d = describeError(error);
  let text = `latentkit: ${d.message}\nhint: ${d.hint}\n`;
  if (verbose) {
    let cur: unknown = error;
    while (cur) {
      text += cur instanceof Error ? `${cur.stack ?? cur.message}\n` : `${String(cur)}\n`;
      cur = cur instanceof Error ? cur.cause : undefined;
      if (cur) text += 'caused by: ';
    }
  }
  return text;
}
