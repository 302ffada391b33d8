/**
 * @file Public API of @latentkit/cli: the command line as a function (and its commands, built
 * from modality descriptors), error formatting, confined output writing and progress
 * rendering, for programs that embed or extend the `latentkit` command.
 */
export { runCli, commandsFor } from './cli.js';
export type { RunCliOptions } from './cli.js';
export type { CommandModule, CommandContext } from './lib/context.js';
export { loadModalities } from './modalities.js';
export { describeError, formatError, UsageError } from './lib/errors.js';
export type { DescribedError } from './lib/errors.js';
export { openOutputDir, openOutputFile, OutputDir } from './lib/output.js';
export type { OutputOptions, OutputFile } from './lib/output.js';
export { trainingProgress, countProgress, formatSeconds } from './lib/progress.js';
export type { ProgressOptions, TrainingProgress, CountProgress } from './lib/progress.js';
export { runDemo } from './demo/demo.js';
export type { DemoOptions, DemoResult } from './demo/demo.js';
export { renderReport, escapeHtml } from './demo/report.js';
export type { ReportData, ReportSection, ReportItem } from './demo/report.js';
