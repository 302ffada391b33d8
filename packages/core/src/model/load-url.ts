/**
 * @file `loadModel(url)` for pages: reads a served folder's `latentkit.json`, then loads it with
 * the class registered for its kind (whose `load` fetches and verifies the weights folder the
 * manifest names). A page registers the kinds it may meet: each modality package's browser
 * entry exports a `loadModel` that registers its own kinds first.
 */
import { UnknownModelKindError } from '../errors/errors.js';
import { readServedManifest } from '../io/url-folder.js';
import { modelClass, registeredKinds } from './kinds.js';
import type { Autoencoder, LoadOptions, ModelConfig } from './types.js';

/**
 * Loads any registered kind of model from the URL of its folder.
 * @param url the folder's URL (absolute, or relative to the page).
 * @param options passed to the class's `load` (`allowNonFinite`).
 * @throws {UnknownModelKindError} when no registered class has the folder's kind.
 * @throws {ModelFormatError} (and subclasses: {@link ChecksumMismatchError} for a file whose
 *   sha256 differs) when the folder is malformed or cannot be fetched.
 * @example
 * ```ts
 * registerModels(imageModels);
 * const model = await loadModel('/models/digits');
 * ```
 */
export async function loadModel(url: string, options: LoadOptions = {}): Promise<Autoencoder<any, any, ModelConfig>> {
  const manifest = await readServedManifest(url);
  const cls = modelClass(manifest.kind);
  if (!cls) {
    throw new UnknownModelKindError(`${url} holds a model of kind '${manifest.kind}' (modality '${manifest.modality}'), which no registered class provides (registered: ${registeredKinds().join(', ')}).`, {
      file: url,
      hint: `Load it through the browser entry of the package of '${manifest.modality}' models (its loadModel registers them), or call registerModels() with its classes.`,
    });
  }
  return cls.load(url, options);
}
