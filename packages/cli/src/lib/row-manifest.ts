/**
 * @file Row manifests of the CLI (core's `row,source,label[,text][,line]` format, see
 * `rowsManifestPath`): `encode` writes one beside its codes, `reconstruct` one in its output
 * folder, and `decode` reads the one beside the codes it decodes and carries it through.
 *
 * Row `i` is input `i` in encode's order (files as given, folders sorted by name, a file of
 * lines line by line). Labels come from the modality's dataset layouts, the same ones `train
 * --data` uses: for an `--in` folder, the first layout that recognises it names each file's
 * labels (image class folders, speaker folders, FSDD file names); the first label kind it
 * declares goes to `label` and any others to columns named by kind. Files given one by one
 * get no label.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseRowsCsv, rowsManifestPath, type ModalityDescriptor, type RowManifest, type RowRecord } from '@latentkit/core';
import { expandInputs, type ReadRows } from './inputs.js';
import { UsageError } from './usage-error.js';

/** Columns a label kind may not take (the manifest's own). */
const RESERVED = new Set(['row', 'source', 'label', 'text', 'line', 'output']);

/** Labels by file, from the dataset layout that recognises each `--in` folder. */
async function labelsByFile(d: ModalityDescriptor, inputs: readonly string[]): Promise<Map<string, { label: string; extra: Record<string, string> }>> {
  const byFile = new Map<string, { label: string; extra: Record<string, string> }>();
  for (const input of inputs) {
    if (!(await stat(input).catch(() => undefined))?.isDirectory()) continue;
    let layout;
    for (const l of d.datasets) {
      if (await l.detect(input)) {
        layout = l;
        break;
      }
    }
    if (!layout?.fileLabels) continue;
    const files = await expandInputs([input], d.codec.extensions, d.codec.noun);
    const labels = await layout.fileLabels(input, files);
    const kinds = [...layout.labels.filter((k) => labels[k]), ...Object.keys(labels).filter((k) => !layout.labels.includes(k))];
    files.forEach((file, i) => {
      if (byFile.has(file)) return; // a file reached through two inputs keeps its first labels
      const extra: Record<string, string> = {};
      for (const k of kinds.slice(1)) if (!RESERVED.has(k)) extra[k] = labels[k][i] ?? '';
      byFile.set(file, { label: kinds.length ? (labels[kinds[0]][i] ?? '') : '', extra });
    });
  }
  return byFile;
}

/**
 * One manifest record per sample read from `inputs`, in row order.
 * @param d the modality (its layouts give labels; a printable codec's samples go to `text`).
 * @param inputs the `--in` paths as given.
 * @param read what readInputs returned for them.
 * @returns records for core's formatRowsCsv.
 */
export async function inputRowRecords(d: ModalityDescriptor, inputs: readonly string[], read: ReadRows<unknown>): Promise<RowRecord[]> {
  const labels = await labelsByFile(d, inputs);
  return read.samples.map((sample, i) => {
    const file = read.names[i];
    const line = read.lines[i];
    const l = labels.get(file);
    const extra = l && Object.keys(l.extra).length ? l.extra : undefined;
    return {
      source: line === undefined ? file : `${file}:${line}`,
      ...(l?.label ? { label: l.label } : {}),
      ...(d.codec.printable ? { text: String(sample) } : {}),
      ...(line !== undefined ? { line } : {}),
      ...(extra ? { extra } : {}),
    };
  });
}

/**
 * Reads the row manifest of a code file: `explicit` when given, else the one beside the codes
 * (`codes.rows.csv`) if it exists.
 * @param codesPath the `.npy` of codes.
 * @param explicit a manifest named with `--rows`; `none` reads none.
 * @param rows the codes' row count, which the manifest must match.
 * @returns the manifest and its path, or undefined when there is none.
 * @throws {UsageError} when `explicit` does not exist.
 * @throws {DecodeError} / {ShapeMismatchError} for a malformed manifest or one of another length.
 */
export async function readCodesManifest(codesPath: string, explicit: string | undefined, rows: number): Promise<{ manifest: RowManifest; path: string } | undefined> {
  if (explicit === 'none') return undefined;
  const path = explicit ?? rowsManifestPath(codesPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (explicit !== undefined) throw new UsageError(`--rows ${explicit}: no such file.`, { hint: 'Name the .rows.csv that encode wrote beside the codes, or drop --rows.' });
    return undefined;
  }
  return { manifest: parseRowsCsv(text, { file: path, expectedRows: rows }), path };
}

/**
 * The records of a manifest carried through to outputs: each row keeps its source, label,
 * text, line and further columns, and gains `output`, the file (or `file:line`) written for it.
 * @param manifest the input rows (undefined: rows named only by `sources`).
 * @param sources one source per row when there is no manifest.
 * @param outputs one output name per row.
 */
export function carriedRecords(manifest: RowManifest | undefined, sources: readonly string[], outputs: readonly string[]): RowRecord[] {
  return outputs.map((output, i) => {
    if (!manifest) return { source: sources[i], extra: { output } };
    const extra: Record<string, string> = {};
    for (const [k, col] of Object.entries(manifest.columns)) if (!RESERVED.has(k)) extra[k] = col[i];
    extra.output = output;
    const line = manifest.line?.[i];
    return {
      source: manifest.source[i],
      ...(manifest.label[i] ? { label: manifest.label[i] } : {}),
      ...(manifest.text ? { text: manifest.text[i] } : {}),
      ...(line !== undefined ? { line } : {}),
      extra,
    };
  });
}

/** The manifest a command writes in its output folder. */
export const OUTPUT_ROWS_NAME = 'rows.csv';

/**
 * What was written for each of `n` rows, relative to the output folder: one file per row, or
 * `file:line` for a codec that writes every row to one file of lines.
 * @param unit the codec's unit.
 * @param written the paths writeOutputs returned (per-row files first; a figure may follow).
 * @param n the row count.
 */
export function outputNames(unit: 'file' | 'line', written: readonly string[], n: number): string[] {
  if (unit === 'line') return Array.from({ length: n }, (_, i) => `${basename(written[0])}:${i + 1}`);
  return written.slice(0, n).map((w) => basename(w));
}
