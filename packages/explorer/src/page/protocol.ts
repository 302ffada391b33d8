/**
 * @file Messages between the explorer page and its Web Worker. Arrays travel as transferred
 * buffers (no copy), so a million-row code set moves to the worker in one message.
 */

/** Where the worker reads a set's full row manifest: a URL, or a file the user picked. */
export type RowsSource = { url: string } | { file: Blob };

/** What the page shows of one row. */
export interface RowItem {
  source: string;
  label: string;
  text?: string;
}

/** What the page asks the worker. */
export type WorkerRequest =
  | { type: 'load'; set: number; name: string; codes: Float32Array; d: number; rows: RowsSource | null }
  | { type: 'describe'; set: number; rows: number[] }
  | { type: 'search'; set: number; query: string }
  | { type: 'pca'; set: number }
  | { type: 'umap'; set: number; maxPoints: number; seed: number }
  | { type: 'knn'; set: number; row: number; k: number; across: number[] }
  | { type: 'row'; set: number; row: number };

/** Neighbours found in one code set. */
export interface NeighbourList {
  set: number;
  indices: Int32Array;
  distances: Float32Array;
}

/** The worker's answers, one per request type. */
export interface WorkerReplies {
  load: { n: number };
  /** The rows asked for, in order (the manifest is read on the first describe or search). */
  describe: { items: RowItem[] };
  search: { rows: Int32Array };
  pca: { xy: Float32Array; varianceRatio: number[]; ms: number };
  umap: { xy: Float32Array; rows: Int32Array; ms: number };
  knn: { within: NeighbourList; across: NeighbourList[]; ms: number; method: string };
  /** A copy of one row's code (for decoding it in the page). */
  row: { code: Float32Array };
}

/** A request with the number its reply carries. */
export type WorkerEnvelope = WorkerRequest & { id: number };

/** A reply: the result, or the error's name, code and message. */
export type WorkerResponse =
  | { id: number; ok: true; result: WorkerReplies[keyof WorkerReplies] }
  | { id: number; ok: false; error: { name: string; code?: string; message: string } }
  | { id: -1; progress: string };
