/**
 * @file Settings: the named, typed knobs a recipe or an operation reads (an image model's
 * architecture, a noise spec, a code size). They are declared as data so that every front end
 * (the CLI's flags, a server's JSON, a benchmark's call) offers and checks the same ones, and
 * none of them has to know which modality declared them.
 */
import { InvalidArgumentError } from '../errors/errors.js';

/** A value a setting may take. `strings` settings hold a list. */
export type SettingValue = string | number | boolean | readonly string[];

/** Settings by name, as given (undefined: not given). */
export type Settings = Readonly<Record<string, SettingValue | undefined>>;

/**
 * One setting a recipe or operation reads.
 * @example
 * ```ts
 * const arch: SettingSpec = { name: 'arch', type: 'string', choices: ['conv', 'dense'], default: 'conv', describe: 'architecture' };
 * ```
 */
export interface SettingSpec {
  /** kebab-case name; the CLI flag is `--<name>`. */
  name: string;
  type: 'string' | 'number' | 'boolean' | 'strings';
  /** One line for `--help`. */
  describe: string;
  /** Value used when the setting is not given (documented in `--help`). */
  default?: SettingValue;
  /** The only values allowed (`string` settings). */
  choices?: readonly string[];
  /** `number` settings: must be whole. @default false */
  integer?: boolean;
  /** `number` settings: smallest allowed value. */
  min?: number;
  /** `number` settings: largest allowed value. */
  max?: number;
  /** Must be given (no default). @default false */
  required?: boolean;
}

function checkOne(spec: SettingSpec, value: SettingValue, where: string): SettingValue {
  const bad = (what: string) => new InvalidArgumentError(`${where} '${spec.name}' ${what}, got ${JSON.stringify(value)}.`);
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') throw bad('must be a string');
      if (spec.choices && !spec.choices.includes(value)) throw bad(`must be one of ${spec.choices.join(', ')}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('must be true or false');
      return value;
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad('must be a list of strings');
      return value;
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad('must be a number');
      if (spec.integer && !Number.isInteger(n)) throw bad('must be a whole number');
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`must be at most ${spec.max}`);
      return n;
    }
  }
}

/**
 * Checks given settings against their specs and fills in defaults.
 * @param specs what may be given.
 * @param given the values given (undefined entries count as not given).
 * @param where how to name the settings in messages, e.g. `recipe 'image/default' setting`.
 * @returns every declared setting that is given or has a default, checked.
 * @throws {InvalidArgumentError} for an unknown name, a value of the wrong type or out of range, or a missing required setting.
 * @example
 * ```ts
 * const s = resolveSettings([{ name: 'shift', type: 'number', default: 0, describe: 'pixels' }], { shift: '2' });
 * s.shift; // 2
 * ```
 */
export function resolveSettings(specs: readonly SettingSpec[], given: Settings, where = 'setting'): Record<string, SettingValue> {
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !known.has(name)) {
      throw new InvalidArgumentError(`${where} '${name}' does not exist here; known: ${[...known.keys()].join(', ') || 'none'}.`);
    }
  }
  const out: Record<string, SettingValue> = {};
  for (const spec of specs) {
    const value = given[spec.name] ?? spec.default;
    if (value === undefined) {
      if (spec.required) throw new InvalidArgumentError(`${where} '${spec.name}' is required: ${spec.describe}.`);
      continue;
    }
    out[spec.name] = checkOne(spec, value, where);
  }
  return out;
}
