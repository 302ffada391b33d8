/**
 * @file Splitting inputs into work: a list of samples (a file, or a range of samples inside a
 * file of lines) cut into jobs or into the k-th of N shards, in input order.
 *
 * Boundaries fall on multiples of the encoder's batch size, so every batch a worker encodes
 * holds the same samples as the batch a single-process `encode` would: the codes then match
 * bit for bit, not only to rounding.
 */
import { InvalidArgumentError } from '@latentkit/core';

/** Samples of one input file: all of it, or samples `[from, to)` of a file of lines. */
export interface WorkItem {
  file: string;
  /** The file's label from its dataset layout, for the row manifest. */
  label?: string;
  /** Further label columns by name. */
  extra?: Record<string, string>;
  /** First sample (0-based), for a slice of a file of lines. */
  from?: number;
  /** One past the last sample. */
  to?: number;
}

/** One job (or shard): consecutive samples of the input order. */
export interface WorkSlice {
  /** Position among the run's slices (0-based). */
  index: number;
  /** Global sample number of the slice's first sample. */
  start: number;
  /** Number of samples. */
  rows: number;
  items: WorkItem[];
}

/** Input files with their sample counts, in input order. */
export interface InputUnits {
  files: readonly string[];
  /** Samples in each file (1 for a file codec). */
  counts: readonly number[];
  /** Each file's labels, carried to the jobs so workers write the manifest `encode` would. */
  labels?: readonly ({ label?: string; extra?: Record<string, string> } | undefined)[];
}

/** Samples `[start, end)` of the inputs as items. */
function itemsOf(units: InputUnits, start: number, end: number): WorkItem[] {
  const items: WorkItem[] = [];
  let base = 0;
  units.files.forEach((file, f) => {
    const n = units.counts[f];
    const from = Math.max(start, base);
    const to = Math.min(end, base + n);
    const l = units.labels?.[f];
    const info = { file, ...(l?.label ? { label: l.label } : {}), ...(l?.extra && Object.keys(l.extra).length ? { extra: l.extra } : {}) };
    if (from < to) items.push(from === base && to === base + n ? info : { ...info, from: from - base, to: to - base });
    base += n;
  });
  return items;
}

function total(units: InputUnits): number {
  return units.counts.reduce((a, b) => a + b, 0);
}

/**
 * Cuts the inputs into jobs of about `jobSize` samples (a multiple of `batch`).
 * @throws {InvalidArgumentError} for a job size below 1.
 */
export function planJobs(units: InputUnits, jobSize: number, batch: number): WorkSlice[] {
  if (!Number.isInteger(jobSize) || jobSize < 1) throw new InvalidArgumentError(`Job size must be a whole number >= 1, got ${jobSize}.`);
  const size = Math.max(batch, Math.round(jobSize / batch) * batch);
  const n = total(units);
  const out: WorkSlice[] = [];
  for (let s = 0; s < n; s += size) out.push({ index: out.length, start: s, rows: Math.min(size, n - s), items: itemsOf(units, s, Math.min(n, s + size)) });
  return out;
}

/**
 * The k-th of N shards (k from 0), boundaries on multiples of `batch`; a shard may be empty
 * when there are fewer batches than shards.
 * @throws {InvalidArgumentError} unless 0 <= k < N.
 */
export function planShard(units: InputUnits, k: number, shards: number, batch: number): WorkSlice {
  if (!Number.isInteger(shards) || shards < 1 || !Number.isInteger(k) || k < 0 || k >= shards) {
    throw new InvalidArgumentError(`Shard ${k}/${shards}: give k/N with 0 <= k < N (k counts from 0, like a Kubernetes completion index).`);
  }
  const n = total(units);
  const batches = Math.ceil(n / batch);
  const edge = (i: number) => Math.min(n, Math.floor((i * batches) / shards) * batch);
  const start = edge(k);
  const end = edge(k + 1);
  return { index: k, start, rows: end - start, items: itemsOf(units, start, end) };
}

/**
 * Parses `--shard k/N`.
 * @throws {InvalidArgumentError} for anything else.
 */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`--shard ${JSON.stringify(text)}: give k/N, e.g. 0/4 (k counts from 0).`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k >= n) throw new InvalidArgumentError(`--shard ${text}: k must be below N (k counts from 0).`);
  return { k, n };
}
