/**
 * @file The one place the CLI registers model classes with core's registry, so `loadModel(dir)`
 * rebuilds a folder of any kind. The modality packages are imported lazily: `--help` and
 * `compare` never pay for sharp, the audio stack or Transformers.js.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine, loadModel, MANIFEST_FILE, ModelMismatchError, ModelNotFoundError, registerModels } from '@latentkit/core';
import type { Autoencoder, ModelConfig } from '@latentkit/core';

let registered: Promise<void> | undefined;

/**
 * Registers every model class of core, image, audio and text (once per process).
 * @example
 * ```ts
 * await registerAllModels();
 * const model = await loadModel('my-model');
 * ```
 */
export function registerAllModels(): Promise<void> {
  registered ??= (async () => {
    const [core, image, audio, text] = await Promise.all([
      import('@latentkit/core'),
      import('@latentkit/image'),
      import('@latentkit/audio'),
      import('@latentkit/text'),
    ]);
    registerModels([
      core.VectorAutoencoder,
      image.DenseImageAutoencoder,
      image.ConvImageAutoencoder,
      image.ImageVAE,
      audio.SpeechAutoencoder,
      text.SentenceAutoencoder,
    ]);
  })();
  return registered;
}

/** Any model the CLI can load. */
export type AnyModel = Autoencoder<any, any, ModelConfig>;

/**
 * Loads a model folder of any registered kind, optionally requiring a modality.
 * @param dir the model folder (`--model`).
 * @param modality the modality the command works on; omitted: any.
 * @returns the model.
 * @throws {ModelNotFoundError} when the folder or its `latentkit.json` does not exist.
 * @throws {ModelMismatchError} when the model is of another modality.
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
  await Promise.all([registerAllModels(), initEngine()]);
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
