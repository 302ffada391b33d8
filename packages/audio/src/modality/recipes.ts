/**
 * @file Speech training recipes (public: `latentkit train audio --recipe <name>` and the
 * benchmarks call these). `default` is what `latentkit train audio` has always done: a
 * speaker/content autoencoder at the data's sample rate, trained without labels.
 */
import { fitForRecipe, resolveSettings, type LoadedDataset, type Recipe, type RecipeTrainOptions, type SettingSpec, type TrainedModel } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { SpeechAutoencoder } from '../models/speech-autoencoder.js';

const SETTINGS: readonly SettingSpec[] = [{ name: 'latent-dim', type: 'number', integer: true, min: 1, max: 65_536, describe: 'size of the speaker code' }];

/**
 * Trains a speaker/content speech autoencoder the way `latentkit train audio` does by
 * default: at the data's sample rate (`facts.sampleRate`, else 16 kHz), without labels;
 * 10 epochs of Adam (lr 1e-3, batch 64) with 10% held out for the validation loss, unless
 * `options.fit` says otherwise.
 * @param data clips.
 * @param options setting `latent-dim` (the speaker code's size) and schedule overrides.
 * @returns the trained model and its history.
 * @example
 * ```ts
 * const data = await audioModality.embedded!.load();
 * const { model } = await trainSpeechDefault(data, { fit: { epochs: 5 } });
 * ```
 */
export async function trainSpeechDefault(data: LoadedDataset<AudioClip>, options: RecipeTrainOptions<AudioClip> = {}): Promise<TrainedModel<AudioClip>> {
  const s = resolveSettings(SETTINGS, options.settings ?? {}, "audio recipe 'default' setting");
  const sampleRate = typeof data.facts?.sampleRate === 'number' ? data.facts.sampleRate : 16000;
  const model = SpeechAutoencoder.create({ sampleRate, ...(s['latent-dim'] !== undefined ? { speakerDim: s['latent-dim'] as number } : {}) });
  return fitForRecipe(model, data, options, { validationSplit: 0.1 });
}

/** The speech recipes, default first. */
export const audioRecipes: readonly Recipe<AudioClip>[] = [
  {
    name: 'default',
    describe: 'speaker/content autoencoder at the data\'s sample rate, no labels; 10 epochs, Adam 1e-3, batch 64, 10% validation',
    settings: SETTINGS,
    train: trainSpeechDefault,
  },
];
