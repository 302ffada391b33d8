/**
 * @file Settings declared by modalities (recipe settings, operation options) as yargs options,
 * and read back from parsed arguments. The CLI adds no meaning of its own: a setting's type,
 * range, choices and default come from its spec, so every modality's flags behave alike.
 */
import type { Argv } from 'yargs';
import type { SettingSpec, SettingValue, Settings } from '@latentkit/core';
import type { Args } from './args.js';
import { UsageError } from './usage-error.js';

/**
 * Declares each setting as a `--<name>` option. Specs of the same name from several owners
 * (modalities) are declared once, their descriptions joined (`image: ...; audio: ...`).
 * Defaults are shown but left to the recipe or operation to apply, so a value the user did not
 * give stays undefined and can be told apart from one they did.
 * @param y the yargs builder.
 * @param owned `[owner, spec]` pairs.
 * @param options `prefix`: name the owner before each description; `demand`: let yargs demand `required` specs.
 */
export function declareSettings(y: Argv, owned: readonly (readonly [string, SettingSpec])[], options: { prefix?: boolean; demand?: boolean } = {}): Argv {
  const byName = new Map<string, { spec: SettingSpec; lines: string[] }>();
  for (const [owner, spec] of owned) {
    const dflt = spec.default !== undefined ? ` [default: ${Array.isArray(spec.default) ? spec.default.join(' ') : String(spec.default)}]` : '';
    const line = `${options.prefix ? `${owner}: ` : ''}${spec.describe}${dflt}`;
    const seen = byName.get(spec.name);
    if (!seen) byName.set(spec.name, { spec, lines: [line] });
    else if (!seen.lines.includes(line)) seen.lines.push(line);
  }
  for (const [name, { spec, lines }] of byName) {
    y = y.option(name, {
      type: spec.type === 'strings' ? 'string' : spec.type,
      ...(spec.type === 'strings' ? { array: true } : {}),
      ...(spec.choices ? { choices: [...spec.choices] } : {}),
      ...(options.demand && spec.required ? { demandOption: true } : {}),
      describe: lines.join('; '),
    });
  }
  return y;
}

/**
 * The values of `specs` the user gave (undefined entries are left out), checked for type.
 * @throws {UsageError} for a value of the wrong type, or one given twice.
 */
export function givenSettings(argv: Args, specs: readonly SettingSpec[]): Settings {
  const out: Record<string, SettingValue> = {};
  for (const spec of specs) {
    const v = argv[spec.name];
    if (v === undefined || v === null) continue;
    if (spec.type === 'strings') {
      const list = Array.isArray(v) ? v : [v];
      out[spec.name] = list.map(String);
      continue;
    }
    if (Array.isArray(v)) throw new UsageError(`--${spec.name} was given ${v.length} times; give it once.`);
    if (spec.type === 'boolean') out[spec.name] = v === true;
    else if (spec.type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--${spec.name} must be a number, got '${String(v)}'.`);
      out[spec.name] = n;
    } else out[spec.name] = String(v);
  }
  return out;
}
