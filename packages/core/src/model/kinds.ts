/**
 * @file The table of model kinds by name, shared by Node's `loadModel(dir)` (registry.ts) and
 * the page's `loadModel(url)` (load-url.ts).
 */
import type { Autoencoder, LoadOptions, ModelConfig } from './types.js';
import { VectorAutoencoder } from './vector-autoencoder.js';

/** A model class as the registry sees it: its kind and a static loader (a folder path in Node, a URL in a page). */
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

/** The class registered for `kind`, if any. @internal */
export function modelClass(kind: string): ModelClass | undefined {
  return registry.get(kind);
}
