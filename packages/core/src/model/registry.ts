/**
 * @file Model kinds by name, so `loadModel(dir)` can rebuild whatever a folder holds. Packages
 * export their model classes in their modality descriptor; an application registers them in
 * one place (registerModality), and `loadModel` finds the kinds of any other installed
 * modality package by itself (see modality/registry.ts).
 */
import { UnknownModelKindError } from '../errors/errors.js';
import { readManifest } from '../io/model-folder.js';
import { findModality, MODALITY_PACKAGES_ENV } from '../modality/registry.js';
import { modelClass, registeredKinds } from './kinds.js';
// This loadModel reads folders on disk: models it loads save and train there too.
import './node-host.js';
import type { Autoencoder, LoadOptions, ModelConfig } from './types.js';

export { registerModels, registeredKinds } from './kinds.js';
export type { ModelClass } from './kinds.js';

/**
 * Loads any model from its folder, dispatching on the folder's `kind`. A kind nobody
 * registered is looked for in the modality package of the folder's modality: those named by
 * `LATENTKIT_MODALITY_PACKAGES`, then `@latentkit/<modality>` (imported once, then registered).
 * @param dir the model folder.
 * @param options passed to the class's `load` (`allowNonFinite`).
 * @throws {UnknownModelKindError} when no registered or installed package has that kind.
 * @throws {ModelFormatError} (and subclasses) when the folder is malformed.
 * @example
 * ```ts
 * const model = await loadModel('models/glyphs'); // an image/conv-ae: @latentkit/image is found by itself
 * ```
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Autoencoder<any, any, ModelConfig>> {
  const manifest = await readManifest(dir);
  let cls = modelClass(manifest.kind);
  if (!cls) {
    await findModality(manifest.modality);
    cls = modelClass(manifest.kind);
  }
  if (!cls) {
    const known = registeredKinds();
    throw new UnknownModelKindError(
      `${dir} holds a model of kind '${manifest.kind}' (modality '${manifest.modality}'), which no registered or installed package provides` +
        ` (registered: ${known.join(', ')}).`,
      {
        file: dir,
        hint: `Install the package that defines '${manifest.modality}' models and name it in ${MODALITY_PACKAGES_ENV}, or call registerModality() with its descriptor.`,
      },
    );
  }
  return cls.load(dir, options);
}
