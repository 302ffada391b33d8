/**
 * @file The browser entry of @latentkit/core (the `browser` export condition): the parts of
 * core that need no Node API — errors, the latent vocabulary, `.npy` bytes, CSV and row
 * manifests, the eigensolvers, the engine (tfjs wasm in a page), the model base class and the
 * model registry with `loadModel(url)`, which reads a served model folder and verifies every
 * file's sha256 with WebCrypto. Bundlers pick it for pages and Web Workers; Node gets
 * src/index.ts. Everything here is also exported, under the same name, from the Node entry,
 * except `loadModel`, which takes a URL here and a folder path there.
 *
 * In a page, models encode, decode and reconstruct; `fit` and `save` throw
 * BackendUnavailableError (they need a file system and core's training loop).
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
  NonFiniteWeightsError,
  ModelChangedError,
  ModelSaveError,
  EngineNotReadyError,
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

// The engine: in a page it picks tfjs wasm (then cpu). The page serves tfjs-backend-wasm's
// .wasm files and names their folder with setWasmPaths before the first initEngine().
export { initEngine, ensureEngineSync, engineInfo, describeEngine, tf } from './engine/engine.js';
export type { BackendName, EngineInfo, EngineOptions } from './engine/engine.js';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// Models: the base class every model kind builds on, and loading a served folder.
export type { Encoder, Decoder, Autoencoder, ModelConfig, Json, SaveOptions, LoadOptions } from './model/types.js';
export { TfAutoencoder, checkNetworkShapes } from './model/tf-autoencoder.js';
export type { BatchingOptions } from './model/tf-autoencoder.js';
export { BatchProgress, wantsPart } from './model/batch-progress.js';
export { registerModels, registeredKinds } from './model/kinds.js';
export type { ModelClass } from './model/kinds.js';
export { loadModel } from './model/load-url.js';
export { readModelFolderUrl, readServedManifest } from './io/url-folder.js';
export type { ReadModelUrlOptions } from './io/url-folder.js';
export { MANIFEST_FILE } from './io/folder-check.js';
export { MODEL_FORMAT_VERSION } from './io/model-manifest.js';
export type { ModelManifest, LoadedModelFolder, ReadModelFolderOptions, TrainingSummary, WeightPrecision } from './io/model-manifest.js';
export { ConfigFieldError, checkInt, checkPositiveInt, checkNumber, checkBoolean, checkChoice, checkObject, checkArray, checkFiniteList } from './model/config-check.js';
export type { NumberBounds } from './model/config-check.js';
export { VectorAutoencoder, resolveVectorAutoencoderConfig, denseStack } from './model/vector-autoencoder.js';
export type { VectorAutoencoderOptions, VectorAutoencoderConfig, DenseActivation } from './model/vector-autoencoder.js';
export { ArrayDataset, fromBatches, asDataset } from './training/dataset.js';
export type { Dataset, BatchOptions } from './training/dataset.js';
export type { StepContext, LossOutput, TensorBatch, TrainingProblem } from './training/problem.js';
export type { FitOptions, History, ProgressEvent } from './training/types.js';

// Latent math used by the modality packages and the explorer.
export { cosineSimilarityMatrix, euclideanDistanceMatrix, knn, MAX_PAIRWISE_ELEMENTS } from './math/similarity.js';
export type { KnnMetric, KnnOptions, KnnResult } from './math/similarity.js';
export { PCA } from './math/pca.js';
export type { PcaOptions, PcaJson, PcaFitInfo } from './math/pca.js';
export { csrFromRows, csrMultiply, csrTransposeMultiply, truncatedSvd } from './math/sparse-svd.js';
export type { CsrMatrix, TruncatedSvd, TruncatedSvdOptions } from './math/sparse-svd.js';
export { fitLinearProbe, linearProbe, LinearProbe } from './math/probe.js';
export { accuracy, confusionMatrix, mse, rSquared, equalErrorRate } from './math/metrics.js';
export { DIGIT_WORDS } from './crossmodal/concepts.js';
