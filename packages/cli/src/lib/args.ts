/**
 * @file Typed reads of parsed command-line arguments. yargs has already applied types and
 * defaults; these re-check what the handlers rely on so a bad value becomes a UsageError that
 * names the option, never a crash further down.
 */
import { UsageError } from './usage-error.js';

/** Parsed arguments as yargs hands them over. */
export type Args = Record<string, unknown>;

/** An optional string option. @throws {UsageError} when it is not a string. */
export function optString(argv: Args, name: string): string | undefined {
  const v = argv[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw new UsageError(`--${name} was given ${v.length} times; give it once.`);
  if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`--${name} needs a value.`);
  return String(v);
}

/** A required string option. @throws {UsageError} when missing. */
export function reqString(argv: Args, name: string, hint?: string): string {
  const v = optString(argv, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required${hint ? `: ${hint}` : '.'}`);
  return v;
}

/** A string list option (`--in a b` or `--in a --in b`). */
export function stringList(argv: Args, name: string): string[] {
  const v = argv[name];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x !== 'string' && typeof x !== 'number') throw new UsageError(`--${name} needs file names.`);
    return String(x);
  });
}

/**
 * An optional number option within bounds.
 * @throws {UsageError} when it is not a number, not an integer where one is needed, or out of range.
 */
export function optNumber(argv: Args, name: string, o: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const v = argv[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw new UsageError(`--${name} was given ${v.length} times; give it once.`);
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${String(v)}'.`);
  if (o.integer && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got ${n}.`);
  if (o.min !== undefined && n < o.min) throw new UsageError(`--${name} must be at least ${o.min}, got ${n}.`);
  if (o.max !== undefined && n > o.max) throw new UsageError(`--${name} must be at most ${o.max}, got ${n}.`);
  return n;
}

/** A boolean flag. */
export function flag(argv: Args, name: string): boolean {
  return argv[name] === true;
}

/** One of a fixed set of strings. @throws {UsageError} otherwise. */
export function choice<T extends string>(argv: Args, name: string, choices: readonly T[], fallback?: T): T {
  const v = optString(argv, name) ?? fallback;
  if (v === undefined) throw new UsageError(`--${name} is required (one of ${choices.join(', ')}).`);
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'.`);
  return v as T;
}
