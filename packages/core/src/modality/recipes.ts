/**
 * @file Recipes: named, public ways to train a model of a modality (settings + data handling +
 * schedule + post-processing). `latentkit train --recipe <name>` and the benchmarks call the
 * same recipe function, so a figure a benchmark reports is one a user's command can reach.
 */
import type { Autoencoder, ModelConfig } from '../model/types.js';
import type { FitOptions, History } from '../training/types.js';
import type { LoadedDataset } from './datasets.js';
import type { SettingSpec, Settings } from './settings.js';

/** Options of {@link Recipe.train}. */
export interface RecipeTrainOptions<S = unknown> {
  /** Values of the recipe's {@link Recipe.settings} (missing ones take their defaults). */
  settings?: Settings;
  /**
   * Schedule overrides and run controls: `epochs`, `batchSize`, `learningRate`, `seed`,
   * `validationSplit`, `timeLimitMs`, `checkpoint`/`resume`, `onProgress`, `signal`. What is not
   * given takes the recipe's own value.
   */
  fit?: FitOptions<S>;
  /** Status lines (what was inferred from the data, what the recipe did after training). */
  log?(message: string): void;
}

/** What a recipe hands back: the trained model, ready to `save`. */
export interface TrainedModel<S, O = S> {
  model: Autoencoder<S, O, ModelConfig>;
  history: History;
  /** Lines worth telling the user (labels used, post-processing done). */
  notes: string[];
}

/**
 * A named way to train a model of one modality.
 * @example
 * ```ts
 * const recipe = imageModality.recipes.find((r) => r.name === 'default')!;
 * const data = await imageModality.embedded!.load({ limit: 2000 });
 * const { model } = await recipe.train(data, { settings: { arch: 'vae' }, fit: { epochs: 5 } });
 * await model.save('models/glyphs');
 * ```
 */
export interface Recipe<S, O = S> {
  /** Short name, unique within its modality, e.g. `default`, `fsdd`. */
  name: string;
  /** What it trains and, where measured, the figures it reaches (and the command that measured them). */
  describe: string;
  /** Settings it reads beyond the common schedule ({@link RecipeTrainOptions.fit}). */
  settings: readonly SettingSpec[];
  /**
   * Builds a model for `data` and trains it.
   * @throws {InvalidArgumentError} for settings that do not fit the recipe.
   * @throws {DatasetError} when the data lacks what the recipe needs (e.g. labels).
   */
  train(data: LoadedDataset<S>, options?: RecipeTrainOptions<S>): Promise<TrainedModel<S, O>>;
}

/**
 * The training step most recipes end with: fits `model` on the data's samples with the
 * recipe's schedule `defaults` under the caller's `options.fit`, and disposes the model if
 * training fails (a recipe hands back a model only when it trained).
 * @param model a freshly built model.
 * @param data the recipe's data.
 * @param options the recipe call's options (`fit` overrides `defaults` field by field).
 * @param defaults the recipe's own schedule.
 * @returns the model and its history, with no notes.
 * @throws whatever `fit` throws.
 * @example
 * ```ts
 * return fitForRecipe(MyModel.create(...), data, options, { epochs: 20, validationSplit: 0.1 });
 * ```
 */
export async function fitForRecipe<S, O>(
  model: Autoencoder<S, O, ModelConfig>,
  data: LoadedDataset<S>,
  options: RecipeTrainOptions<S>,
  defaults: FitOptions<S> = {},
): Promise<TrainedModel<S, O>> {
  try {
    const history = await model.fit(data.samples, { ...defaults, ...options.fit });
    return { model, history, notes: [] };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
