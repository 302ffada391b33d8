/**
 * @file Code sets as the explorer serves them: a `.npy` of codes (rows x features) and its
 * row manifest, read and checked once before the server starts, so a bad file is a typed
 * error on the command line rather than a broken page.
 */
import { access, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  DecodeError,
  encodeNpy,
  parseRowsCsv,
  readNpy,
  rowsManifestPath,
  ShapeMismatchError,
  type ReadNpyOptions,
} from '@latentkit/core';
import { encodeLabelIndex, indexLabels } from '../label-index.js';

/** Where one code set comes from. */
export interface CodeSetSource {
  /** The `.npy` file of codes (2-D: rows x features). */
  codes: string;
  /**
   * Its row manifest. @default the `<codes>.rows.csv` beside it, when that file exists;
   * without one the rows are named by index and carry no label.
   */
  rows?: string;
  /** The name shown in the page. @default the file name without `.npy` */
  name?: string;
}

/** A checked code set, held in memory as the bytes the page fetches. */
export interface CodeSetFiles {
  name: string;
  n: number;
  d: number;
  /** A float32 `.npy` (integer or float64 input is converted). */
  codes: Uint8Array;
  /** The manifest text, or null when there is none. */
  rows: string | null;
  /**
   * The manifest's labels as `labels.bin` (label-index.ts), or null without a manifest: what
   * the page fetches up front, leaving the CSV for when a hover, click or text search needs it.
   * Absent: built from `rows` when served or exported ({@link labelsOf}).
   */
  labels?: Uint8Array | null;
}

/**
 * A set's `labels.bin`: the one it carries, else built from its manifest.
 * @returns the bytes, or null for a set without a manifest.
 */
export function labelsOf(set: CodeSetFiles): Uint8Array | null {
  if (set.labels !== undefined) return set.labels;
  return set.rows === null ? null : encodeLabelIndex(indexLabels(parseRowsCsv(set.rows, { expectedRows: set.n }).label));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads and checks one code set.
 * @param source - the files.
 * @param options - the size limit for the `.npy`.
 * @returns the set, ready to serve.
 * @throws {DecodeError} when a file is missing or malformed.
 * @throws {ShapeMismatchError} when the codes are not 2-D or the manifest has another row count.
 */
export async function readCodeSet(source: CodeSetSource, options: ReadNpyOptions = {}): Promise<CodeSetFiles> {
  const arr = await readNpy(source.codes, options);
  if (arr.shape.length !== 2 || arr.shape[0] < 1 || arr.shape[1] < 1) {
    throw new ShapeMismatchError(`${source.codes}: codes must be a non-empty 2-D array (rows x features); found shape [${arr.shape.join(', ')}].`, {
      file: source.codes,
    });
  }
  const [n, d] = arr.shape;
  const rowsPath = source.rows ?? rowsManifestPath(source.codes);
  let rows: string | null = null;
  let labels: Uint8Array | null = null;
  if (source.rows !== undefined || (await exists(rowsPath))) {
    try {
      rows = await readFile(rowsPath, 'utf8');
    } catch (e) {
      throw new DecodeError(`${rowsPath}: cannot read the row manifest (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: rowsPath, cause: e });
    }
    labels = encodeLabelIndex(indexLabels(parseRowsCsv(rows, { file: rowsPath, expectedRows: n }).label));
  }
  const data = arr.dtype === 'float32' ? arr.data : Float32Array.from(arr.data);
  const name = source.name ?? basename(source.codes).replace(/\.npy$/i, '');
  return { name, n, d, codes: encodeNpy({ data, shape: [n, d] }), rows, labels };
}
