/**
 * @file Sentence training recipes (public: `latentkit train text --recipe <name>` and the
 * benchmarks call these). `default` is what `latentkit train text` has always done.
 */
import { fitForRecipe, resolveSettings, type LoadedDataset, type Recipe, type RecipeTrainOptions, type SettingSpec, type TrainedModel } from '@latentkit/core';
import { SentenceAutoencoder } from '../models/sentence-autoencoder.js';

const SETTINGS: readonly SettingSpec[] = [{ name: 'latent-dim', type: 'number', integer: true, min: 1, max: 65_536, describe: 'size of the sentence-level (global) part of the code' }];

/**
 * Trains a sentence autoencoder the way `latentkit train text` does by default: the package's
 * default architecture; 10 epochs of Adam (lr 1e-3, batch 64) with 10% of the sentences held
 * out for the validation loss, unless `options.fit` says otherwise.
 * @param data sentences.
 * @param options setting `latent-dim` (the global part's size) and schedule overrides.
 * @returns the trained model and its history.
 * @example
 * ```ts
 * const data = await textLinesLayout.load('sentences.txt');
 * const { model } = await trainSentenceDefault(data, { fit: { epochs: 30 } });
 * ```
 */
export async function trainSentenceDefault(data: LoadedDataset<string>, options: RecipeTrainOptions<string> = {}): Promise<TrainedModel<string>> {
  const s = resolveSettings(SETTINGS, options.settings ?? {}, "text recipe 'default' setting");
  const model = SentenceAutoencoder.create(s['latent-dim'] !== undefined ? { globalDim: s['latent-dim'] as number } : {});
  return fitForRecipe(model, data, options, { validationSplit: 0.1 });
}

/** The sentence recipes, default first. */
export const textRecipes: readonly Recipe<string>[] = [
  {
    name: 'default',
    describe: 'character-level sentence autoencoder with fill-in; 10 epochs, Adam 1e-3, batch 64, 10% validation',
    settings: SETTINGS,
    train: trainSentenceDefault,
  },
];
