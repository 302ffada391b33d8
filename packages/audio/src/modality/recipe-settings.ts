/**
 * @file The settings the speech recipes read (each is a `latentkit train audio --<name>` flag,
 * declared once for all audio recipes) and their checks beyond what a SettingSpec says.
 */
import { InvalidArgumentError, resolveSettings, type SettingSpec, type Settings } from '@latentkit/core';
import { SPEED_FACTOR_RANGE } from '../io/speed.js';

/** `--labels`: use the speaker labels the data's layout gives, or not. */
export const LABELS_SETTING: SettingSpec = {
  name: 'labels',
  type: 'string',
  choices: ['auto', 'none'],
  default: 'auto',
  describe: 'speaker labels: auto = from the data (a file,speaker manifest, one folder per speaker, FSDD or tts-speakers file names); none = train without',
};

/** `--latent-dim`: the speaker code's size. */
export const LATENT_DIM_SETTING: SettingSpec = { name: 'latent-dim', type: 'number', integer: true, min: 1, max: 65_536, describe: 'size of the speaker code [default: 64]' };

/** Settings of the recipes that train with speaker labels. */
export const SPEAKER_SETTINGS: readonly SettingSpec[] = [
  LABELS_SETTING,
  LATENT_DIM_SETTING,
  {
    name: 'speed',
    type: 'strings',
    describe: "speed factors (0.5-2) of extra training copies, each copy labelled as a voice of its own; 1 = no copies [default: the recipe's, 0.9 1.1 for many-voices]",
  },
  {
    name: 'speaker-directions',
    type: 'number',
    integer: true,
    min: 0,
    max: 65_535,
    describe: "after training, remove from the speaker code this many directions along which one speaker's codes vary most (0 = no projection) [default: the recipe's, 16 or 24]",
  },
  {
    name: 'content-directions',
    type: 'number',
    integer: true,
    min: 0,
    max: 65_535,
    describe: "after training, remove from the pooled content code this many directions along which the speakers' means differ [default: the recipe's, 0 or 3]",
  },
];

/** What the speaker recipes read, checked. */
export interface SpeakerSettings {
  labels: 'auto' | 'none';
  speakerDim?: number;
  /** Factors other than 1, or undefined to take the recipe's. */
  speed?: number[];
  speakerDirections?: number;
  contentDirections?: number;
}

/**
 * Checks the speaker recipes' settings and converts them.
 * @param given the settings as given (CLI strings included).
 * @param where how messages name them, e.g. `audio recipe 'many-voices' setting`.
 * @throws {InvalidArgumentError} for an unknown setting, a bad value, a speed factor outside
 *   [0.5, 2], or a projection larger than the speaker code.
 * @example
 * ```ts
 * resolveSpeakerSettings({ speed: ['0.9', '1.1'], labels: 'none' }, 'recipe').speed; // [0.9, 1.1]
 * ```
 */
export function resolveSpeakerSettings(given: Settings, where: string): SpeakerSettings {
  const s = resolveSettings(SPEAKER_SETTINGS, given, where);
  let speed: number[] | undefined;
  if (s.speed !== undefined) {
    const [lo, hi] = SPEED_FACTOR_RANGE;
    // `--speed 0.9,1.1` and `--speed 0.9 1.1` both work.
    const parts = (s.speed as readonly string[]).flatMap((v) => String(v).split(',')).filter((v) => v.trim() !== '');
    speed = parts.map((v) => {
      const f = Number(v);
      if (!Number.isFinite(f) || f < lo || f > hi) throw new InvalidArgumentError(`${where} 'speed' must be factors in [${lo}, ${hi}], got ${JSON.stringify(v)}.`);
      return f;
    });
    if (speed.length === 0) throw new InvalidArgumentError(`${where} 'speed' needs at least one factor (1 for no copies).`);
    speed = [...new Set(speed.filter((f) => f !== 1))];
  }
  const speakerDim = s['latent-dim'] as number | undefined;
  const speakerDirections = s['speaker-directions'] as number | undefined;
  if (speakerDirections !== undefined && speakerDirections >= (speakerDim ?? 64)) {
    throw new InvalidArgumentError(`${where} 'speaker-directions' must be smaller than the speaker code (${speakerDim ?? 64}), got ${speakerDirections}.`);
  }
  return {
    labels: s.labels as 'auto' | 'none',
    ...(speakerDim !== undefined ? { speakerDim } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(speakerDirections !== undefined ? { speakerDirections } : {}),
    ...(s['content-directions'] !== undefined ? { contentDirections: s['content-directions'] as number } : {}),
  };
}
