/**
 * @file Type and range checks for model config fields, shared by every model kind's config
 * resolution. A config comes from a caller (`create(options)`) or from a `latentkit.json`
 * anyone may have edited, so each field is checked for its type and its allowed range before
 * any network is built from it; the error names the field, the value found and what is allowed
 * (a saved `globalDim: 1e9` must be refused at load, not fail at the first encode).
 */
import { InvalidArgumentError, type LatentkitErrorOptions } from '../errors/errors.js';

/**
 * A config field of the wrong type or out of its range. An {@link InvalidArgumentError} (same
 * code); `field`, `value` and `allowed` say which field, what it held and what it may hold.
 */
export class ConfigFieldError extends InvalidArgumentError {
  constructor(
    /** The field's path, e.g. `hidden[2]` or `nuisanceProjection.speaker`. */
    readonly field: string,
    /** The value found (as given). */
    readonly value: unknown,
    /** What the field may hold, e.g. `an integer in [1, 65536]`. */
    readonly allowed: string,
    options: LatentkitErrorOptions = {},
  ) {
    super(`${field} must be ${allowed}, got ${describeValue(value)}.`, options);
  }
}

/** A short, printable form of any value for an error message. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}...` : s;
  } catch {
    return typeof v;
  }
}

/**
 * An integer field in `[min, max]`.
 * @param field the field's name, for the message.
 * @param value what the config holds.
 * @param min smallest allowed value.
 * @param max largest allowed value.
 * @returns the value.
 * @throws {ConfigFieldError} naming the field, the value and the range.
 * @example
 * ```ts
 * checkInt('latentDim', 1e9, 1, 65536); // throws: latentDim must be an integer in [1, 65536], got 1000000000.
 * ```
 */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigFieldError(field, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Bounds of {@link checkNumber}; a missing bound is open (but the number is always finite). */
export interface NumberBounds {
  min?: number;
  max?: number;
  /** `min` itself is not allowed. @default false */
  minExclusive?: boolean;
  /** `max` itself is not allowed. @default false */
  maxExclusive?: boolean;
}

/**
 * A finite number within bounds.
 * @param field the field's name.
 * @param value what the config holds.
 * @param bounds `min`/`max`, each inclusive unless marked exclusive.
 * @returns the value.
 * @throws {ConfigFieldError} for a non-number, NaN, an infinity or a value out of bounds.
 * @example
 * ```ts
 * checkNumber('temperature', 0.05, { min: 0, minExclusive: true }); // 0.05
 * ```
 */
export function checkNumber(field: string, value: unknown, bounds: NumberBounds = {}): number {
  const { min, max, minExclusive = false, maxExclusive = false } = bounds;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (min === undefined || (minExclusive ? value > min : value >= min)) &&
    (max === undefined || (maxExclusive ? value < max : value <= max));
  if (!ok) {
    const lo = min === undefined ? '(-inf' : `${minExclusive ? '(' : '['}${min}`;
    const hi = max === undefined ? 'inf)' : `${max}${maxExclusive ? ')' : ']'}`;
    throw new ConfigFieldError(field, value, min === undefined && max === undefined ? 'a finite number' : `a finite number in ${lo}, ${hi}`);
  }
  return value as number;
}

/**
 * A boolean field.
 * @throws {ConfigFieldError} for anything but `true` or `false`.
 */
export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigFieldError(field, value, 'true or false');
  return value;
}

/**
 * One of a fixed set of strings.
 * @throws {ConfigFieldError} listing the choices.
 * @example
 * ```ts
 * checkChoice('loss', 'mse', ['mse', 'bce'] as const); // 'mse'
 * ```
 */
export function checkChoice<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigFieldError(field, value, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * A plain object (not null, not an array).
 * @throws {ConfigFieldError} for anything else.
 */
export function checkObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFieldError(field, value, 'an object');
  return value as Record<string, unknown>;
}

/**
 * An array with a length in `[minLength, maxLength]`, each element checked by `each`.
 * @param field the field's name; elements are named `field[i]`.
 * @param value what the config holds.
 * @param length allowed lengths.
 * @param each checks one element (given its name) and returns it.
 * @returns a copy of the checked elements.
 * @throws {ConfigFieldError} for a non-array, a length out of range, or a bad element.
 * @example
 * ```ts
 * checkArray('hidden', [64, 32], { min: 0, max: 16 }, (f, v) => checkInt(f, v, 1, 65536)); // [64, 32]
 * ```
 */
export function checkArray<T>(field: string, value: unknown, length: { min?: number; max: number }, each: (field: string, value: unknown) => T): T[] {
  const min = length.min ?? 0;
  if (!Array.isArray(value) || value.length < min || value.length > length.max) {
    throw new ConfigFieldError(field, value, min === length.max ? `an array of ${min} elements` : `an array of ${min} to ${length.max} elements`);
  }
  return value.map((v, i) => each(`${field}[${i}]`, v));
}

/**
 * `length` finite numbers (per-band statistics, projection rows).
 * @throws {ConfigFieldError} naming the first element that is not a finite number.
 */
export function checkFiniteList(field: string, value: unknown, length: number): number[] {
  return checkArray(field, value, { min: length, max: length }, (f, v) => checkNumber(f, v));
}
