/**
 * @file Model kinds by name, so `loadModel(dir)` can rebuild whatever a folder holds. Packages
 * export their model classes in their modality descriptor; an application registers them in
 * one place (registerModality), and `loadModel` finds the kinds of any other installed
 * modality package by itself (see modality/registry.ts).
 */
import { UnknownModelKindError } from '../errors/errors.js';
import { readManifest } from '../io/model-folder.js';
import { findModality, MODALITY_PACKAGES_ENV } from '../modality/registry.js';
import type { Autoencoder, LoadOptions, ModelConfig } from './types.js';
import { VectorAutoencoder } from './vector-autoencoder.js';

/** A model class as the registry sees it: its kind and a static loader. */
export interface ModelClass {
  readonly kind: string;
  load(dir: string, options?: LoadOptions): Promise<Autoencoder<any, any, ModelConfig>>;
}

// Core's own model kinds need no package to be found.
const registry = new Map<string, ModelClass>([[VectorAutoencoder.kind, VectorAutoencoder]]);

/**
 * Registers model classes by their static `kind`.
 * @example
 * ```ts
 * registerModels([...imageModels, ...audioModels]);
 * const model = await loadModel('my-model');
 * ```
 */
export function registerModels(classes: readonly ModelClass[]): void {
  for (const c of classes) registry.set(c.kind, c);
}

/** Kinds registered so far. */
export function registeredKinds(): string[] {
  return [...registry.keys()].sort();
}

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
  let cls = registry.get(manifest.kind);
  if (!cls) {
    await findModality(manifest.modality);
    cls = registry.get(manifest.kind);
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
