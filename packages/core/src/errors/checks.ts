/**
 * @file Argument checks shared by every package, so the same mistake reads the same everywhere.
 */
import { InvalidArgumentError } from './errors.js';

/**
 * Returns `v` if it is a whole number in `[1, max]`.
 * @param name how to name the value in the message, e.g. `epochs`.
 * @param v the value (anything: it may come from JSON).
 * @param max the largest allowed value. @default Number.MAX_SAFE_INTEGER
 * @throws {InvalidArgumentError} naming the value, the range and what was given.
 * @example
 * ```ts
 * const epochs = checkPositiveInt('epochs', options.epochs ?? 10);
 * ```
 */
export function checkPositiveInt(name: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new InvalidArgumentError(`${name} must be ${max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in [1, ${max}]`}, got ${String(v)}.`);
  }
  return v;
}
