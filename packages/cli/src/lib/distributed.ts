/**
 * @file Encoding spread beyond one process, for `encode --queue`, `encode --shard`, `worker`
 * and `collect`: inputs as units of samples, a slice of them encoded exactly as `encode` would
 * (same readers, same batches, same part), and the run's identity. Generic over modalities:
 * everything goes through the descriptor.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { stackLatents, type ModalityDescriptor, type RowRecord } from '@latentkit/core';
import type { InputUnits, ShardContent, WorkItem } from '@latentkit/queue';
import { lineNumbers } from './inputs.js';
import { encodeWithProgress, selectNamedPart } from './modality-io.js';
import { inputRowRecords } from './row-manifest.js';
import type { AnyModel } from './models.js';
import type { ProgressOptions } from './progress.js';

/** Samples per encoder call, as `encode` uses: slices start on multiples of it. */
export function batchOf(d: ModalityDescriptor): number {
  return d.encodeBatchSize ?? 256;
}

/**
 * Every input file with its number of samples: one per file, or (for a codec of lines) the
 * lines the codec reads from it, so jobs can split a long file; and each file's labels from
 * the dataset layout of its `--in` folder, as `encode`'s row manifest gives them.
 * @param inputs the `--in` paths as given (layouts are detected on them).
 */
export async function inputUnits(d: ModalityDescriptor, inputs: readonly string[], files: readonly string[]): Promise<InputUnits> {
  if (d.codec.unit === 'file') {
    // One sample per file: the records `encode` would write for the files themselves.
    const records = await inputRowRecords(d, inputs, { samples: [...files], names: [...files], lines: files.map(() => undefined), files: [...files] });
    return { files, counts: files.map(() => 1), labels: records.map((r) => ({ ...(r.label ? { label: r.label } : {}), ...(r.extra ? { extra: r.extra } : {}) })) };
  }
  const counts: number[] = [];
  for (const f of files) counts.push((await d.codec.decode(new Uint8Array(await readFile(f)), { name: f })).length);
  return { files, counts };
}

/** Row records of an item's samples (from sample `from` of its file), as `encode`'s manifest names them. */
function recordsOf(d: ModalityDescriptor, item: WorkItem, samples: readonly unknown[], lines: readonly (number | undefined)[], from: number): RowRecord[] {
  return samples.map((s, i) => {
    const line = lines[from + i];
    return {
      source: line === undefined ? item.file : `${item.file}:${line}`,
      ...(item.label ? { label: item.label } : {}),
      ...(d.codec.printable ? { text: String(s) } : {}),
      ...(line !== undefined ? { line } : {}),
      ...(item.extra ? { extra: item.extra } : {}),
    };
  });
}

/**
 * Encodes a slice of the inputs with a loaded model, as `encode` would encode them among all
 * the others: read with the model's config, encoded in batches of the modality's size, the
 * part `part` kept.
 */
export async function encodeItems(d: ModalityDescriptor, model: AnyModel, items: readonly WorkItem[], part: string, progress: ProgressOptions): Promise<ShardContent> {
  const samples: unknown[] = [];
  const records: RowRecord[] = [];
  for (const item of items) {
    const bytes = new Uint8Array(await readFile(item.file));
    const all = await d.codec.decode(bytes, { config: model.config, name: item.file });
    const lines = d.codec.unit === 'line' ? lineNumbers(bytes, all.length, item.file) : all.map(() => undefined);
    const from = item.from ?? 0;
    const picked = all.slice(from, item.to ?? all.length);
    samples.push(...picked);
    records.push(...recordsOf(d, item, picked, lines, from));
  }
  if (samples.length === 0) return { data: new Float32Array(0), rows: 0, cols: 0, records: [] };
  const wanted = part === 'all' ? [] : [d.parts.find((p) => p.name === part)!.latentPart];
  let latents = await encodeWithProgress(model, samples, progress, batchOf(d), wanted);
  if (part !== 'all') latents = selectNamedPart([d], d, latents, part);
  const batch = stackLatents(latents);
  const [rows, ...rest] = batch.shape;
  return { data: batch.data, rows, cols: rest.reduce((a, b) => a * b, 1), records };
}

/** A run's identity: the same inputs, model, part and split give the same id. */
export function runId(parts: { modality: string; modelId: string; part: string; files: readonly string[]; split: string }): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ ...parts, files: parts.files.map((f) => resolve(f)) }));
  return h.digest('hex').slice(0, 16);
}

/** Where shards of an output go: `<out>.shards/` beside it. */
export function shardDirOf(out: string): string {
  return resolve(`${out}.shards`);
}

/** The base path of shard k of N for `--shard` (`codes.npy` -> `codes.shard-1-of-4`). */
export function shardBase(out: string, k: number, n: number): string {
  const stem = basename(out).replace(/\.npy$/i, '');
  return join(dirname(resolve(out)), `${stem}.shard-${k}-of-${n}`);
}
