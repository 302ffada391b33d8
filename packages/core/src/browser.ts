/**
 * @file The browser entry of @latentkit/core (the `browser` export condition): the parts of
 * core that need no Node API — errors, the latent vocabulary, `.npy` bytes, CSV and row
 * manifests, the dense eigensolver. Bundlers pick it for pages and Web Workers; Node gets
 * src/index.ts. Everything here is also exported, under the same name, from the Node entry.
 */
export {
  LatentkitError,
  ShapeMismatchError,
  InvalidArgumentError,
  BackendUnavailableError,
  UnknownModelKindError,
  ModelFormatError,
  ChecksumMismatchError,
  ModelMismatchError,
  UnsupportedFormatVersionError,
  PathEscapeError,
  DecodeError,
  UnsupportedFormatError,
  InputTooLargeError,
  InputLimitError,
  EmptyInputError,
  NonFiniteLossError,
  ModelNotFoundError,
  DatasetError,
  AbortError,
} from './errors/errors.js';
export type { LatentkitErrorOptions } from './errors/errors.js';
export { makeLatent, stackLatents, unstackLatents, selectPart, shapeSize } from './latent/latent.js';
export type { Latent, LatentBatch, Modality } from './latent/latent.js';
export { toMatrix, row } from './math/matrix.js';
export type { Matrix, MatrixLike } from './math/matrix.js';
export { createRng, createNormalRng, shuffledIndices } from './math/random.js';
export { symmetricEigen } from './math/eigen.js';
export type { SymmetricEigen } from './math/eigen.js';
export { encodeNpy, decodeNpy, npyToMatrix, latentsToJSON, latentsFromJSON } from './io/npy.js';
export type { NpyArray, NpyInput, LatentJson } from './io/npy.js';
export { parseCsv, parseCsvRecords, parseCsvColumns, formatCsv } from './io/csv.js';
export type { CsvTable, CsvRecords, CsvColumns, CsvErrorClass } from './io/csv.js';
export { parseRowsCsv, formatRowsCsv, rowsManifestPath, ROWS_MANIFEST_SUFFIX } from './io/rows.js';
export type { RowRecord, RowManifest, ParseRowsOptions } from './io/rows.js';
