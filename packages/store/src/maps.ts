/**
 * @file Maps between latent spaces for cross-modal search: the JSON files core's RidgeMap and
 * MlpMap save (`JSON.stringify(map)`), read back by their `kind`.
 */
import { readFile } from 'node:fs/promises';
import { MlpMap, ModelFormatError, RidgeMap, type Matrix, type MatrixLike } from '@latentkit/core';

/** What cross-modal search needs of a map: its dimensions and `apply`. */
export interface LatentMap {
  readonly inputDim: number;
  readonly outputDim: number;
  apply(x: MatrixLike): Matrix;
}

/** Largest map file read (a 1024 x 1024 ridge map is ~20 MB of JSON). */
const MAX_MAP_BYTES = 512 * 1024 * 1024;

/**
 * Reads a map saved as JSON by {@link RidgeMap} or {@link MlpMap}.
 * @param file the `.json` file.
 * @returns the map.
 * @throws {ModelFormatError} when the file is not such a map, or is damaged.
 * @example
 * ```ts
 * await writeFile('text-to-image.json', JSON.stringify(await RidgeMap.fit(text, image)));
 * const map = await loadLatentMap('text-to-image.json');
 * ```
 */
export async function loadLatentMap(file: string): Promise<LatentMap> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ModelFormatError(`${file}: cannot read the map (${(e as Error).message}).`, { file, cause: e });
  }
  if (bytes.length > MAX_MAP_BYTES) throw new ModelFormatError(`${file}: ${bytes.length} bytes is too large for a map file.`, { file });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ModelFormatError(`${file}: not valid JSON.`, { file });
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'latentkit/ridge-map') return RidgeMap.fromJSON(json, file);
  if (kind === 'latentkit/mlp-map') return MlpMap.fromJSON(json, file);
  throw new ModelFormatError(`${file}: field 'kind' is ${JSON.stringify(kind)}; a map file is 'latentkit/ridge-map' or 'latentkit/mlp-map'.`, {
    file,
    hint: 'Save a fitted map with JSON.stringify(map) (RidgeMap or MlpMap from @latentkit/core).',
  });
}
