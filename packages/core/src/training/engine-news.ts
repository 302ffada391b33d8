/**
 * @file What an `engine` progress event tells a person, in one line: the CLI's progress and the
 * benchmarks print the same words.
 */
import type { ProgressEvent } from './types.js';

/**
 * The news of an `engine` progress event: a fallback to tfjs with its reason, the share of
 * batches on tfjs, or how onnxruntime's steps use the cores; undefined for the plain start
 * event (the engine line already said which engine trains).
 *
 * @param e an `engine` progress event.
 * @returns one line, or undefined when the event carries no news.
 * @example
 * ```ts
 * engineNews({ type: 'engine', engine: 'onnxruntime', cores: 'split halves on 2 threads' });
 * // 'onnxruntime steps on split halves on 2 threads'
 * ```
 */
export function engineNews(e: Extract<ProgressEvent, { type: 'engine' }>): string | undefined {
  if (e.reason) return `training on tfjs, not onnxruntime: ${e.reason}`;
  if (e.note) return `training on onnxruntime (${e.note})`;
  if (e.cores) return `onnxruntime steps on ${e.cores}`;
  return undefined;
}
