/**
 * @file The CLI's own error for command-line mistakes. It deliberately does not import core:
 * parsing and `--help` must not pay for loading tfjs.
 */

/** A command-line mistake (unknown option, missing argument, bad value): exit code 2. */
export class UsageError extends Error {
  /** Stable code, like core's LatentkitError codes. */
  readonly code: string = 'LK_USAGE';
  /** What to do about it. */
  readonly hint?: string;

  constructor(message: string, options: { hint?: string } = {}) {
    super(message);
    this.name = 'UsageError';
    this.hint = options.hint;
  }
}
