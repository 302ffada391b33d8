/**
 * @file Public API of @latentkit/core: engine, shared vocabulary, training loop, model
 * folders and latent math. Modality packages build on these and re-implement none of them.
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
  EmptyInputError,
  NonFiniteLossError,
  ModelNotFoundError,
  DatasetError,
  AbortError,
} from './errors/errors.js';
export type { LatentkitErrorOptions } from './errors/errors.js';

export { initEngine, engineInfo, describeEngine, tf } from './engine/engine.js';
export type { BackendName, EngineInfo, EngineOptions } from './engine/engine.js';
export { registerWasmKernels } from './kernels/register.js';

export { makeLatent, stackLatents, unstackLatents, selectPart, shapeSize } from './latent/latent.js';
export type { Latent, LatentBatch, Modality } from './latent/latent.js';
export { writeFileAtomic, tempSibling } from './io/atomic.js';
export { toMatrix, row } from './math/matrix.js';
export type { Matrix, MatrixLike } from './math/matrix.js';
export { createRng, createNormalRng, shuffledIndices } from './math/random.js';

export type { Encoder, Decoder, Autoencoder, ModelConfig, Json } from './model/types.js';
export { ArrayDataset, fromBatches, asDataset } from './training/dataset.js';
export type { Dataset, BatchOptions } from './training/dataset.js';
export type {
  FitOptions,
  History,
  ProgressEvent,
  OptimizerName,
  EarlyStoppingOptions,
  CheckpointOptions,
} from './training/types.js';
