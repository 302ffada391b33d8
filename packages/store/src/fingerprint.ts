/**
 * @file A model's fingerprint: the first 16 hex digits of the sha256 of its `latentkit.json`.
 * The manifest holds the config and the sha256 of every weight file, so two folders share a
 * fingerprint exactly when they hold the same model; a retrained model gets a new one.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, ModelNotFoundError } from '@latentkit/core';

/**
 * The fingerprint of the model in folder `dir`.
 * @throws {ModelNotFoundError} when the folder has no `latentkit.json`.
 * @example
 * ```ts
 * await modelFingerprint('models/mnist'); // '3f9a0c1d2e4b5a67'
 * ```
 */
export async function modelFingerprint(dir: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, MANIFEST_FILE));
  } catch (e) {
    throw new ModelNotFoundError(`${dir}: not a latentkit model folder (cannot read ${MANIFEST_FILE}).`, { file: dir, cause: e });
  }
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
