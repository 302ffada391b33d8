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
export { registerWasmKernels, unregisterWasmKernels } from './kernels/register.js';

export { makeLatent, stackLatents, unstackLatents, selectPart, shapeSize } from './latent/latent.js';
export type { Latent, LatentBatch, Modality } from './latent/latent.js';
export { writeFileAtomic, tempSibling } from './io/atomic.js';
export { resolveDataDir } from './io/data-dir.js';
export { toMatrix, row } from './math/matrix.js';
export type { Matrix, MatrixLike } from './math/matrix.js';
export { createRng, createNormalRng, shuffledIndices } from './math/random.js';
export { cosineSimilarityMatrix, euclideanDistanceMatrix, knn, MAX_PAIRWISE_ELEMENTS } from './math/similarity.js';
export type { KnnMetric, KnnOptions, KnnResult } from './math/similarity.js';
export { PCA } from './math/pca.js';
export { symmetricEigen } from './math/linalg.js';
export type { SymmetricEigen } from './math/linalg.js';
export { csrFromRows, csrMultiply, csrTransposeMultiply, truncatedSvd } from './math/sparse-svd.js';
export type { CsrMatrix, TruncatedSvd, TruncatedSvdOptions } from './math/sparse-svd.js';
export type { PcaOptions, PcaJson, PcaFitInfo } from './math/pca.js';
export { fitLinearProbe, linearProbe, LinearProbe } from './math/probe.js';
export type { LinearProbeOptions, LinearProbeJson, LinearProbeFitInfo, LinearProbeResult } from './math/probe.js';
export {
  linearCka,
  mutualKnnAlignment,
  crossModalNeighbours,
  pairedRetrievalRecall,
  RidgeMap,
  MlpMap,
} from './math/cross-modal.js';
export type { NeighbourOptions, RidgeMapOptions, RidgeMapJson, MlpMapOptions, MlpMapJson } from './math/cross-modal.js';
export { accuracy, confusionMatrix, mse, rSquared, equalErrorRate, equalErrorRateDetails } from './math/metrics.js';
export type { EqualErrorRateResult } from './math/metrics.js';
export { encodeNpy, decodeNpy, npyToMatrix, latentsToJSON, latentsFromJSON } from './io/npy.js';
export type { NpyArray, NpyInput, LatentJson } from './io/npy.js';
export { writeNpy, readNpy } from './io/npy-file.js';
export type { ReadNpyOptions } from './io/npy-file.js';
export { parseCsv, parseCsvRecords, parseCsvColumns, formatCsv } from './io/csv.js';
export type { CsvTable, CsvRecords, CsvColumns, CsvErrorClass } from './io/csv.js';
export { parseRowsCsv, formatRowsCsv, rowsManifestPath, ROWS_MANIFEST_SUFFIX } from './io/rows.js';
export type { RowRecord, RowManifest, ParseRowsOptions } from './io/rows.js';

export type { Encoder, Decoder, Autoencoder, ModelConfig, Json, SaveOptions } from './model/types.js';
export { TfAutoencoder, checkNetworkShapes } from './model/tf-autoencoder.js';
export type { BatchingOptions } from './model/tf-autoencoder.js';
export { registerModels, registeredKinds, loadModel } from './model/registry.js';
export type { ModelClass } from './model/registry.js';
export { VectorAutoencoder, resolveVectorAutoencoderConfig, denseStack } from './model/vector-autoencoder.js';
export type { VectorAutoencoderOptions, VectorAutoencoderConfig, DenseActivation } from './model/vector-autoencoder.js';
export {
  saveModelFolder,
  readModelFolder,
  readManifest,
  assertSafeRelativePath,
  MODEL_FORMAT_VERSION,
  MANIFEST_FILE,
} from './io/model-folder.js';
export type {
  ModelManifest,
  ModelFolderContents,
  LoadedModelFolder,
  ReadModelFolderOptions,
  TrainingSummary,
  WeightPrecision,
} from './io/model-folder.js';
export { train, evaluateLoss } from './training/trainer.js';
export type { TrainingProblem, TensorBatch, StepContext, LossOutput } from './training/trainer.js';
export { ArrayDataset, fromBatches, asDataset } from './training/dataset.js';
export type { Dataset, BatchOptions } from './training/dataset.js';
export type {
  FitOptions,
  LearningRateSchedule,
  ScheduleStep,
  History,
  ProgressEvent,
  OptimizerName,
  EarlyStoppingOptions,
  CheckpointOptions,
} from './training/types.js';
