/**
 * @file Public API of @latentkit/cli: the command line as a function, the demo and its report,
 * confined output writing, progress rendering, and the cross-modal helpers the examples and
 * the crossmodal benchmark share.
 */
export { runCli, COMMANDS } from './cli.js';
export type { RunCliOptions } from './cli.js';
export { describeError, formatError, UsageError } from './lib/errors.js';
export type { DescribedError } from './lib/errors.js';
export { openOutputDir, openOutputFile, OutputDir } from './lib/output.js';
export type { OutputOptions, OutputFile } from './lib/output.js';
export { trainingProgress, countProgress, formatSeconds } from './lib/progress.js';
export type { ProgressOptions, TrainingProgress, CountProgress } from './lib/progress.js';
export { fitWithBudget } from './lib/fit.js';
export type { FitSummary, Fittable } from './lib/fit.js';
export { registerAllModels, loadAnyModel } from './lib/models.js';
export { readCodes, codesToNpy, compareCodes } from './lib/codes.js';
export type { CodeComparison } from './lib/codes.js';

export { runDemo } from './demo/demo.js';
export type { DemoOptions, DemoResult } from './demo/demo.js';
export { renderReport, escapeHtml } from './demo/report.js';
export type { ReportData, ReportSection, ReportItem } from './demo/report.js';

export { pairByClass, rotatedControl, selectRows } from './crossmodal/pairing.js';
export type { ClassPairing, PairByClassOptions } from './crossmodal/pairing.js';
export { compareRepresentations, similarityMatrix } from './crossmodal/similarity.js';
export type { CodeSet, Representation, PairComparison, SimilarityMatrix, SimilarityOptions } from './crossmodal/similarity.js';
export { runDigitsExperiment, standardizeBySpeaker, pooledSpeechCode, FSDD_SPEAKERS } from './crossmodal/digits.js';
export type { DigitsExperimentOptions, DigitsExperimentResult, SpokenDigitExample } from './crossmodal/digits.js';
