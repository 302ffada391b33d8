/**
 * @file Row manifests: the CSV written beside a code file (`codes.npy` -> `codes.rows.csv`)
 * that says where each row came from. One line per row of the codes, in the same order:
 *
 * ```
 * row,source,label,text,line
 * 0,digits/3/a.png,3,,
 * 1,sentences.txt:2,,"A man is playing a guitar.",2
 * ```
 *
 * `row` counts from 0 and must equal the line's position; `source` is the input file (or
 * `file:line` for one line of a text file); `label` is what the dataset layout says, empty
 * when it says nothing; `text` holds a sentence input; `line` is the 1-based line number of a
 * row read from a file of lines (the same number `source` ends with, as a column so that no
 * one has to split a file name that holds a colon). `text` and `line` are written only when
 * some row has one. Further columns are kept as they are. No Node APIs: the latent explorer
 * reads manifests in the page.
 */
import { DecodeError, ShapeMismatchError } from '../errors/errors.js';
import { formatCsv, parseCsvColumns } from './csv.js';

/** The file name suffix of a row manifest. */
export const ROWS_MANIFEST_SUFFIX = '.rows.csv';

/** Columns every manifest has, in this order at the start of the header. */
const REQUIRED = ['row', 'source'] as const;

/** One row as written by {@link formatRowsCsv}. */
export interface RowRecord {
  /** The input file, or `file:line` for one line of a text file. */
  source: string;
  /** The label the dataset layout gives (class folder, speaker), if any. */
  label?: string;
  /** The sentence, for text inputs. */
  text?: string;
  /** The 1-based line of its file, for a row read from a file of lines. */
  line?: number;
  /** Further columns by name. */
  extra?: Record<string, string>;
}

/** A parsed row manifest, column by column (a million rows stay a few arrays of strings). */
export interface RowManifest {
  /** Number of rows. */
  readonly length: number;
  /** Column names in file order (`row` and `source` first). */
  readonly header: readonly string[];
  /** `source` of each row. */
  readonly source: readonly string[];
  /** `label` of each row (`''` when the manifest has no label for it). */
  readonly label: readonly string[];
  /** `text` of each row, when the manifest has that column. */
  readonly text?: readonly string[];
  /** `line` of each row (`undefined` where empty), when the manifest has that column. */
  readonly line?: readonly (number | undefined)[];
  /** Every column other than `row`, by name. */
  readonly columns: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link parseRowsCsv}. */
export interface ParseRowsOptions {
  /** The file name, for messages. @default 'rows.csv' */
  file?: string;
  /** The row count of the codes it describes; a manifest of another length is refused. */
  expectedRows?: number;
}

/**
 * The manifest path for a code file: a `.npy` or `.json` extension is replaced, any other
 * name gets the suffix appended.
 * @param codesPath - the code file (`out/codes.npy`).
 * @returns `out/codes.rows.csv`.
 * @example
 * ```ts
 * rowsManifestPath('out/mnist.npy'); // 'out/mnist.rows.csv'
 * ```
 */
export function rowsManifestPath(codesPath: string): string {
  return codesPath.replace(/\.(npy|json)$/i, '') + ROWS_MANIFEST_SUFFIX;
}

/**
 * Reads a row manifest, checking that `row` counts 0, 1, 2, ... in order.
 * @param text - the CSV text.
 * @param options - file name and the expected row count.
 * @returns the manifest, column by column.
 * @throws {DecodeError} on malformed CSV, a missing `row` or `source` column, a duplicated
 *   column, a `row` value out of sequence, or a `line` that is not a positive integer.
 * @throws {ShapeMismatchError} when `expectedRows` is given and the manifest has another count.
 * @example
 * ```ts
 * const rows = parseRowsCsv('row,source,label\n0,a.png,3\n', { expectedRows: 1 });
 * rows.label[0]; // '3'
 * ```
 */
export function parseRowsCsv(text: string, options: ParseRowsOptions = {}): RowManifest {
  const file = options.file ?? 'rows.csv';
  const { header, columns: cols, length } = parseCsvColumns(text, file, REQUIRED, DecodeError);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new DecodeError(`${file}: column "${h}" appears twice.`, { file });
    seen.add(h);
  }
  const rowCol = header.indexOf('row');
  const rowValues = cols[rowCol];
  for (let i = 0; i < length; i++) {
    const v = rowValues[i];
    // Compared as text: '007' or '1e1' would name a row but not the way the writer does.
    if (v !== String(i)) {
      throw new DecodeError(`${file}: data line ${i + 1} has row ${JSON.stringify(v)}; rows must count 0, 1, 2, ... in order.`, { file });
    }
  }
  if (options.expectedRows !== undefined && length !== options.expectedRows) {
    throw new ShapeMismatchError(`${file}: ${length} rows, but the codes have ${options.expectedRows}.`, { file });
  }
  const columns: Record<string, string[]> = {};
  header.forEach((h, j) => {
    if (j !== rowCol) columns[h] = cols[j];
  });
  let line: (number | undefined)[] | undefined;
  if (columns.line) {
    line = columns.line.map((v, i) => {
      if (v === '') return undefined;
      if (!/^[1-9][0-9]*$/.test(v)) throw new DecodeError(`${file}: data line ${i + 1} has line ${JSON.stringify(v)}; a line number is a positive integer.`, { file });
      return Number(v);
    });
  }
  return {
    length,
    header,
    source: columns.source,
    label: columns.label ?? new Array<string>(length).fill(''),
    ...(columns.text ? { text: columns.text } : {}),
    ...(line ? { line } : {}),
    columns,
  };
}

/**
 * Writes a row manifest for rows in code order: `row,source,label`, then `text` and `line`
 * when any row has one, then extra columns in first-seen order.
 * @param rows - one record per row of the codes.
 * @returns the CSV text, which {@link parseRowsCsv} reads back.
 * @throws {DecodeError} when an extra column is named like a standard one.
 * @example
 * ```ts
 * formatRowsCsv([{ source: 'a.png', label: '3' }]); // 'row,source,label\n0,a.png,3\n'
 * ```
 */
export function formatRowsCsv(rows: readonly RowRecord[]): string {
  const header = ['row', 'source', 'label'];
  if (rows.some((r) => r.text !== undefined)) header.push('text');
  if (rows.some((r) => r.line !== undefined)) header.push('line');
  const standard = new Set(header.concat('text', 'line'));
  for (const r of rows) {
    for (const k of Object.keys(r.extra ?? {})) {
      if (standard.has(k)) throw new DecodeError(`formatRowsCsv: extra column "${k}" clashes with a standard column.`);
      if (!header.includes(k)) header.push(k);
    }
  }
  const records = rows.map((r, i) =>
    header.map((h) => {
      if (h === 'row') return String(i);
      if (h === 'source') return r.source;
      if (h === 'label') return r.label ?? '';
      if (h === 'text') return r.text ?? '';
      if (h === 'line') return r.line === undefined ? '' : String(r.line);
      return r.extra?.[h] ?? '';
    }),
  );
  return formatCsv(header, records);
}
