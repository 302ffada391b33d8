/**
 * @file A small RFC 4180 CSV reader and writer (quoted fields, doubled quotes, CRLF) for
 * dataset manifests and row manifests. No Node APIs: the latent explorer parses row
 * manifests of a million lines in a page with it, so unquoted fields are sliced out of the
 * text rather than built a character at a time.
 */
import { DatasetError, type LatentkitError, type LatentkitErrorOptions } from '../errors/errors.js';

/** A parsed CSV file: the header and one record per data row, keyed by column name. */
export interface CsvTable {
  header: string[];
  rows: Record<string, string>[];
}

/** A parsed CSV file as positional records (cheaper than {@link CsvTable} for big files). */
export interface CsvRecords {
  header: string[];
  /** Data rows, each with exactly `header.length` fields. */
  records: string[][];
}

/** The error class a parse failure is reported with. */
export type CsvErrorClass = new (message: string, options?: LatentkitErrorOptions) => LatentkitError;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Index of the separator or line break that ends the field starting at `i` (or the text's end). */
function fieldEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === LF || c === CR) break;
    j++;
  }
  return j;
}

/** A parsed CSV file column by column: no per-row objects (a million rows stay a few arrays). */
export interface CsvColumns {
  header: string[];
  /** `columns[j][i]` is field `j` of data row `i`. */
  columns: string[][];
  /** Number of data rows. */
  length: number;
}

/**
 * Parses CSV text whose first row is a header into one array per column.
 * @param text - the file contents.
 * @param name - the file name for messages.
 * @param required - columns that must be present.
 * @param ErrorClass - the error thrown on malformed text. @default DatasetError
 * @returns the header (trimmed names) and the columns (blank lines skipped).
 * @throws {DatasetError} (or `ErrorClass`) for an unterminated quote, a row with the wrong
 *   number of fields, an empty file, or a missing column.
 * @example
 * ```ts
 * parseCsvColumns('a,b\n1,"x, y"\n', 'm.csv').columns; // [['1'], ['x, y']]
 * ```
 */
export function parseCsvColumns(
  text: string,
  name: string,
  required: readonly string[] = [],
  ErrorClass: CsvErrorClass = DatasetError,
): CsvColumns {
  const fail = (msg: string): never => {
    throw new ErrorClass(`${name}: ${msg}`, { file: name });
  };
  let header: string[] | null = null;
  let columns: string[][] = [];
  let length = 0;
  let col = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  const field = (value: string): void => {
    if (header === null) {
      (columns[0] ??= []).push(value);
    } else {
      if (col >= header.length) fail(`data row ${length + 1} has more fields than the header's ${header.length}.`);
      columns[col].push(value);
    }
    col++;
  };
  const endRecord = (): void => {
    if (header === null) {
      // The header collects in columns[0] until its line ends.
      const names = columns[0] ?? [];
      if (!(names.length === 1 && names[0] === '')) {
        header = names.map((h) => h.trim());
        columns = header.map(() => []);
      } else columns = [];
    } else if (col === 1 && columns[0][columns[0].length - 1] === '') {
      columns[0].pop(); // a blank line
    } else {
      if (col !== header.length) fail(`data row ${length + 1} has ${col} fields; the header has ${header.length}.`);
      length++;
    }
    col = 0;
  };
  while (i < n) {
    let j: number;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) fail(`unterminated quoted field starting on line ${startLine}.`);
        value += text.slice(from, q);
        for (let k = from; k < q; k++) if (text.charCodeAt(k) === LF) line++;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Text between the closing quote and the next separator is kept, as the reader this
      // replaced did (`"a"b` reads as `ab`).
      j = fieldEnd(text, i);
      field(j === i ? value : value + text.slice(i, j));
    } else {
      j = fieldEnd(text, i);
      field(text.slice(i, j));
    }
    i = j;
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      if (i >= n) field('');
      continue;
    }
    // A record ends at LF, CR or CRLF.
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
    endRecord();
  }
  if (col > 0) endRecord();
  if (header === null) return fail('the file is empty; expected a CSV header.');
  const names: string[] = header;
  for (const r of required) {
    if (!names.includes(r)) fail(`missing column "${r}"; found ${names.join(', ')}.`);
  }
  return { header: names, columns, length };
}

/**
 * Parses CSV text whose first row is a header into positional records.
 * @param text - the file contents.
 * @param name - the file name for messages.
 * @param required - columns that must be present.
 * @param ErrorClass - the error thrown on malformed text. @default DatasetError
 * @returns the header (trimmed names) and the data rows (blank lines skipped).
 * @throws {DatasetError} (or `ErrorClass`) as {@link parseCsvColumns} does.
 * @example
 * ```ts
 * parseCsvRecords('a,b\n1,"x, y"\n', 'm.csv').records; // [['1', 'x, y']]
 * ```
 */
export function parseCsvRecords(
  text: string,
  name: string,
  required: readonly string[] = [],
  ErrorClass: CsvErrorClass = DatasetError,
): CsvRecords {
  const { header, columns, length } = parseCsvColumns(text, name, required, ErrorClass);
  const records = Array.from({ length }, (_, i) => columns.map((c) => c[i]));
  return { header, records };
}

/**
 * Parses CSV text whose first row is a header.
 * @param text - the file contents.
 * @param name - the file name for messages.
 * @param required - columns that must be present.
 * @returns header and rows keyed by column name (blank lines skipped).
 * @throws {DatasetError} for an unterminated quote, a row with the wrong number of fields, or a missing column.
 * @example
 * ```ts
 * parseCsv('file,speaker\na.wav,jo\n', 'manifest.csv').rows; // [{ file: 'a.wav', speaker: 'jo' }]
 * ```
 */
export function parseCsv(text: string, name: string, required: readonly string[] = []): CsvTable {
  const { header, records } = parseCsvRecords(text, name, required);
  const rows = records.map((r) => {
    const row: Record<string, string> = {};
    header.forEach((h, j) => (row[h] = r[j]));
    return row;
  });
  return { header, rows };
}

/** Quotes a field when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes CSV text: a header line, then one line per record (LF line ends, a final LF).
 * @param header - column names.
 * @param records - rows of exactly `header.length` fields.
 * @returns the text; {@link parseCsvRecords} reads it back unchanged.
 * @throws {DatasetError} when a record has the wrong number of fields.
 * @example
 * ```ts
 * formatCsv(['row', 'text'], [['0', 'Hello, world']]); // 'row,text\n0,"Hello, world"\n'
 * ```
 */
export function formatCsv(header: readonly string[], records: readonly (readonly string[])[]): string {
  const lines = [header.map(csvField).join(',')];
  records.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new DatasetError(`formatCsv: record ${k} has ${r.length} fields; the header has ${header.length}.`);
    }
    lines.push(r.map(csvField).join(','));
  });
  return `${lines.join('\n')}\n`;
}
