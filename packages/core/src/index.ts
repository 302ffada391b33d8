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
  NonFiniteWeightsError,
  ModelChangedError,
  ModelSaveError,
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
  EngineNotReadyError,
} from './errors/errors.js';
export type { LatentkitErrorOptions } from './errors/errors.js';

// Node's entry gives models the file system and core's training loop (a page's entry,
// browser.ts, leaves them reading folders over HTTP).
import './model/node-host.js';

export { initEngine, ensureEngineSync, engineInfo, describeEngine, tf } from './engine/engine.js';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
export type { BackendName, EngineInfo, EngineOptions } from './engine/engine.js';
export { registerWasmKernels, unregisterWasmKernels } from './kernels/register.js';

export { makeLatent, stackLatents, unstackLatents, selectPart, shapeSize } from './latent/latent.js';
export type { Latent, LatentBatch, Modality } from './latent/latent.js';
export { writeFileAtomic, tempSibling } from './io/atomic.js';
export { resolveDataDir } from './io/data-dir.js';
export { listFiles, MAX_LISTED_FILES } from './io/list-files.js';
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

// Cross-modal: comparing latent spaces and mapping between them.
export { linearCka, mutualKnnAlignment, compareCodes } from './crossmodal/alignment.js';
export type { NeighbourOptions, CodeComparison } from './crossmodal/alignment.js';
export { crossModalNeighbours, pairedRetrievalRecall } from './crossmodal/retrieval.js';
export { RidgeMap } from './crossmodal/ridge-map.js';
export type { RidgeMapOptions, RidgeMapJson } from './crossmodal/ridge-map.js';
export { MlpMap } from './crossmodal/mlp-map.js';
export type { MlpMapOptions, MlpMapJson } from './crossmodal/mlp-map.js';
export { pairByClass, rotatedControl, selectRows } from './crossmodal/pairing.js';
export type { ClassPairing, PairByClassOptions } from './crossmodal/pairing.js';
export { compareRepresentations, similarityMatrix } from './crossmodal/similarity.js';
export type { CodeSet, Representation, PairComparison, SimilarityMatrix, SimilarityOptions } from './crossmodal/similarity.js';
export { concatRows, concatColumns, standardizeByGroup, classMedoids, knnClassifier } from './crossmodal/groups.js';
export type { KnnClassifier } from './crossmodal/groups.js';
export { DIGIT_WORDS } from './crossmodal/concepts.js';
export { accuracy, confusionMatrix, mse, rSquared, equalErrorRate, equalErrorRateDetails } from './math/metrics.js';
export type { EqualErrorRateResult } from './math/metrics.js';
export { scatterPlotSvg, escapeXml } from './plot/scatter-svg.js';
export type { ScatterPoint, ScatterPlotOptions } from './plot/scatter-svg.js';
export { encodeNpy, decodeNpy, npyToMatrix, latentsToJSON, latentsFromJSON } from './io/npy.js';
export type { NpyArray, NpyInput, LatentJson } from './io/npy.js';
export { writeNpy, readNpy } from './io/npy-file.js';
export type { ReadNpyOptions } from './io/npy-file.js';
export { parseCsv, parseCsvRecords, parseCsvColumns, formatCsv } from './io/csv.js';
export type { CsvTable, CsvRecords, CsvColumns, CsvErrorClass } from './io/csv.js';
export { parseRowsCsv, formatRowsCsv, rowsManifestPath, ROWS_MANIFEST_SUFFIX } from './io/rows.js';
export type { RowRecord, RowManifest, ParseRowsOptions } from './io/rows.js';

export type { Encoder, Decoder, Autoencoder, ModelConfig, Json, SaveOptions, LoadOptions } from './model/types.js';
export { TfAutoencoder, checkNetworkShapes } from './model/tf-autoencoder.js';
export type { BatchingOptions } from './model/tf-autoencoder.js';
export { BatchProgress, wantsPart } from './model/batch-progress.js';
export { registerModels, registeredKinds, loadModel } from './model/registry.js';
export type { ModelClass } from './model/registry.js';
export { readModelFolderUrl, readServedManifest } from './io/url-folder.js';
export type { ReadModelUrlOptions } from './io/url-folder.js';
export { ConfigFieldError, checkInt, checkPositiveInt, checkNumber, checkBoolean, checkChoice, checkObject, checkArray, checkFiniteList } from './model/config-check.js';
export type { NumberBounds } from './model/config-check.js';

// Modality descriptors: what the CLI, demo, benchmarks and servers iterate over.
export {
  registerModality,
  registeredModalities,
  getModality,
  findModality,
  importModality,
  isModalityDescriptor,
  modalityPackagesFromEnv,
  MODALITY_PACKAGES_ENV,
} from './modality/registry.js';
export type {
  ModalityDescriptor,
  ModalityCodec,
  EncodedFile,
  DecodeInputOptions,
  InputLimits,
  OverviewRow,
  PartSpec,
  PretrainedEncoder,
} from './modality/descriptor.js';
export type { DatasetLayout, DatasetLoadOptions, LoadedDataset, Labels, EmbeddedData } from './modality/datasets.js';
export { fitForRecipe } from './modality/recipes.js';
export { collapseCheck, describeCollapse, spreadSample, ModelDidNotLearnError, COLLAPSE_THRESHOLDS } from './modality/collapse.js';
export type { CollapseVerdict, CollapseThresholds, TrainingCheck } from './modality/collapse.js';
export type { Recipe, RecipeTrainOptions, TrainedModel } from './modality/recipes.js';
export { outputFileName } from './modality/operations.js';
export type { ModalityOperation, OperationContext, OutputSink, OutputFileSink, ReadInputs } from './modality/operations.js';
export type { ModalityShowcase, ShowcaseContext, ShowcaseResult, ShowcaseSection, ShowcaseItem, ShowcaseFit, LabelledCodes } from './modality/showcase.js';
export { resolveSettings } from './modality/settings.js';
export type { SettingSpec, SettingValue, Settings } from './modality/settings.js';
export { VectorAutoencoder, resolveVectorAutoencoderConfig, denseStack } from './model/vector-autoencoder.js';
export type { VectorAutoencoderOptions, VectorAutoencoderConfig, DenseActivation } from './model/vector-autoencoder.js';
export { saveModelFolder } from './io/model-folder-save.js';
export {
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
export { engineNews } from './training/engine-news.js';
export type { StepRunner, StepResult, TrainingEngine } from './training/step-runner.js';
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
