/**
 * @file Loading a model folder for a command: a clear error for a missing folder, core's
 * loadModel for everything else (it finds the kinds of every registered or installed
 * modality package), and a check that the model is of the modality the command needs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine, loadModel, MANIFEST_FILE, ModelMismatchError, ModelNotFoundError } from '@latentkit/core';
import type { Autoencoder, ModelConfig } from '@latentkit/core';

/** Any model the CLI can load. */
export type AnyModel = Autoencoder<any, any, ModelConfig>;

/**
 * Loads a model folder of any kind, optionally requiring a modality.
 * @param dir the model folder (`--model`).
 * @param modality the modality the command works on; omitted: any.
 * @returns the model.
 * @throws {ModelNotFoundError} when the folder or its `latentkit.json` does not exist.
 * @throws {ModelMismatchError} when the model is of another modality.
 * @throws {UnknownModelKindError} when no package provides its kind.
 * @throws {ModelFormatError} (and subclasses) for a damaged folder.
 */
export async function loadAnyModel(dir: string, modality?: string): Promise<AnyModel> {
  if (!existsSync(dir)) throw new ModelNotFoundError(`Model folder '${dir}' does not exist.`, { file: dir, hint: 'Train one with `latentkit train`, or check --model.' });
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    throw new ModelNotFoundError(`'${dir}' is not a latentkit model folder (it has no ${MANIFEST_FILE}).`, {
      file: dir,
      hint: 'Give the folder `latentkit train --out` wrote.',
    });
  }
  await initEngine();
  const model = await loadModel(dir);
  if (modality !== undefined && model.config.modality !== modality) {
    const kind = model.config.kind;
    model.dispose();
    throw new ModelMismatchError(`'${dir}' holds a ${kind} model (modality ${String(model.config.modality)}); this command needs a ${modality} model.`, {
      file: dir,
    });
  }
  return model;
}
