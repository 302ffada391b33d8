/**
 * @file Model kinds by name, so `loadModel(dir)` can rebuild whatever a folder holds. Packages
 * export their model classes; the application registers them explicitly, in one place.
 */
import { UnknownModelKindError } from '../errors/errors.js';
import { readManifest } from '../io/model-folder.js';
import type { Autoencoder, LoadOptions, ModelConfig } from './types.js';

/** A model class as the registry sees it: its kind and a static loader. */
export interface ModelClass {
  readonly kind: string;
  load(dir: string, options?: LoadOptions): Promise<Autoencoder<any, any, ModelConfig>>;
}

const registry = new Map<string, ModelClass>();

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
 * Loads any registered model from its folder, dispatching on the folder's `kind`.
 * @param dir the model folder.
 * @param options passed to the class's `load` (`allowNonFinite`).
 * @throws {UnknownModelKindError} when no registered class has that kind.
 * @throws {ModelFormatError} (and subclasses) when the folder is malformed.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Autoencoder<any, any, ModelConfig>> {
  const manifest = await readManifest(dir);
  const cls = registry.get(manifest.kind);
  if (!cls) {
    const known = registeredKinds();
    throw new UnknownModelKindError(
      `${dir} holds a model of kind '${manifest.kind}', which no registered package provides` +
        (known.length ? ` (registered: ${known.join(', ')}).` : ' (nothing is registered).'),
      { file: dir, hint: `Import the package that defines '${manifest.kind.split('/')[0]}' models and pass its classes to registerModels().` },
    );
  }
  return cls.load(dir, options);
}
