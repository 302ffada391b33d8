/**
 * @file A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF) for the dataset
 * manifests; their `text` column holds commas inside quotes.
 */
import { DatasetError } from '@latentkit/core';

/** A parsed CSV file: the header and one record per data row, keyed by column name. */
export interface CsvTable {
  header: string[];
  rows: Record<string, string>[];
}

/**
 * Parses CSV text whose first row is a header.
 * @param text the file contents.
 * @param name the file name for messages.
 * @param required columns that must be present.
 * @returns header and rows (blank lines skipped).
 * @throws {DatasetError} for an unterminated quote, a row with the wrong number of fields, or a missing column.
 * @internal
 */
export function parseCsv(text: string, name: string, required: readonly string[] = []): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else field += c;
  }
  if (quoted) throw new DatasetError(`${name}: unterminated quoted field starting on line ${quoteLine}.`, { file: name });
  if (field !== '' || record.length > 0) endRecord();
  if (records.length === 0) throw new DatasetError(`${name}: the file is empty; expected a CSV header.`, { file: name });
  const header = records[0].map((h) => h.trim());
  for (const col of required) {
    if (!header.includes(col)) {
      throw new DatasetError(`${name}: missing column "${col}"; found ${header.join(', ')}.`, { file: name });
    }
  }
  const rows = records.slice(1).map((r, i) => {
    if (r.length !== header.length) {
      throw new DatasetError(`${name}: data row ${i + 1} has ${r.length} fields; the header has ${header.length}.`, { file: name });
    }
    const row: Record<string, string> = {};
    header.forEach((h, j) => (row[h] = r[j]));
    return row;
  });
  return { header, rows };
}
