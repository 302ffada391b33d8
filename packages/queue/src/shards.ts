/**
 * @file Shard files: the codes of one job or `--shard`, written beside the final output as
 * `<base>.npy`, `<base>.rows.csv` and `<base>.json`, each atomically, the JSON last. The JSON
 * is the mark of a complete shard, so a worker killed mid-write leaves no shard (the job is
 * retried), and a shard is never written twice: a retried job whose shard exists returns.
 */
import { readFile, stat } from 'node:fs/promises';
import { decodeNpy, encodeNpy, formatRowsCsv, npyToMatrix, parseRowsCsv, writeFileAtomic, type RowManifest, type RowRecord } from '@latentkit/core';
import { ShardError } from './errors.js';

/** What a shard's JSON says. */
export interface ShardInfo {
  kind: 'latentkit/shard';
  version: 1;
  /** The run (a digest of the inputs, model, part and split): shards of one output share it. */
  run: string;
  /** Position among the run's shards. */
  index: number;
  /** Global row of its first row. */
  start: number;
  rows: number;
  cols: number;
  modality: string;
  modelId: string;
  part: string;
}

/** Codes and rows of one shard, as an encoder hands them over. */
export interface ShardContent {
  /** Row-major `rows x cols` codes. */
  data: Float32Array;
  rows: number;
  cols: number;
  records: readonly RowRecord[];
}

const files = (base: string) => ({ npy: `${base}.npy`, rows: `${base}.rows.csv`, json: `${base}.json` });

/** Whether the shard at `base` is complete (its JSON exists). */
export async function shardExists(base: string): Promise<boolean> {
  return stat(files(base).json).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a shard: codes, rows, then the JSON that marks it complete.
 * @throws {ShardError} when the content disagrees with itself.
 */
export async function writeShard(base: string, info: Omit<ShardInfo, 'kind' | 'version' | 'rows' | 'cols'>, content: ShardContent): Promise<ShardInfo> {
  if (content.records.length !== content.rows || content.data.length !== content.rows * content.cols) {
    throw new ShardError(`${base}: ${content.rows} rows of ${content.cols} but ${content.data.length} values and ${content.records.length} row records.`);
  }
  const f = files(base);
  const full: ShardInfo = { kind: 'latentkit/shard', version: 1, ...info, rows: content.rows, cols: content.cols };
  await writeFileAtomic(f.npy, encodeNpy({ data: content.data, rows: content.rows, cols: content.cols }));
  await writeFileAtomic(f.rows, formatRowsCsv(content.records));
  await writeFileAtomic(f.json, JSON.stringify(full) + '\n');
  return full;
}

/** A shard read back. */
export interface Shard {
  info: ShardInfo;
  data: Float32Array;
  rows: RowManifest;
}

/**
 * Reads a complete shard.
 * @throws {ShardError} when it is missing or its files disagree.
 */
export async function readShard(base: string): Promise<Shard> {
  const f = files(base);
  let info: ShardInfo;
  try {
    info = JSON.parse(await readFile(f.json, 'utf8')) as ShardInfo;
  } catch (e) {
    throw new ShardError(`${f.json}: missing or unreadable; the shard is not complete.`, { file: f.json, cause: e });
  }
  if (info.kind !== 'latentkit/shard' || info.version !== 1) throw new ShardError(`${f.json} is not a latentkit shard description.`, { file: f.json });
  const m = info.rows === 0 ? { data: new Float32Array(0), rows: 0, cols: info.cols } : npyToMatrix(decodeNpy(new Uint8Array(await readFile(f.npy))));
  if (m.rows !== info.rows || (info.rows > 0 && m.cols !== info.cols)) throw new ShardError(`${f.npy}: [${m.rows}, ${m.cols}], but ${f.json} says [${info.rows}, ${info.cols}].`, { file: f.npy });
  const rows = parseRowsCsv(await readFile(f.rows, 'utf8'), { file: f.rows, expectedRows: info.rows });
  return { info, data: m.data, rows };
}

/** Shards joined in order. */
export interface Assembled {
  data: Float32Array;
  rows: number;
  cols: number;
  records: RowRecord[];
  modality: string;
  modelId: string;
  part: string;
}

/**
 * Joins shards (given in order) into one code matrix and manifest, checking they are of one
 * run and cover its rows exactly once, in order.
 * @throws {ShardError} naming the first shard that does not fit.
 */
export function assembleShards(shards: readonly Shard[]): Assembled {
  if (shards.length === 0) throw new ShardError('No shards to join.');
  const first = shards[0].info;
  const withRows = shards.find((s) => s.info.rows > 0)?.info ?? first;
  let next = 0;
  for (const s of shards) {
    const i = s.info;
    if (i.run !== first.run) throw new ShardError(`Shard ${i.index} belongs to run ${i.run}, shard ${first.index} to ${first.run}: they encode different inputs, models or splits.`);
    if (i.start !== next) throw new ShardError(`Shard ${i.index} starts at row ${i.start}, but the shards before it end at ${next}: a shard is missing or repeated.`);
    if (i.rows > 0 && i.cols !== withRows.cols) throw new ShardError(`Shard ${i.index} has codes of ${i.cols} values, shard ${withRows.index} of ${withRows.cols}.`);
    next += i.rows;
  }
  const cols = withRows.cols;
  const data = new Float32Array(next * cols);
  const records: RowRecord[] = [];
  let at = 0;
  for (const s of shards) {
    data.set(s.data, at);
    at += s.data.length;
    const { columns } = s.rows;
    const extraNames = Object.keys(columns).filter((c) => !['source', 'label', 'text', 'line'].includes(c));
    for (let r = 0; r < s.rows.length; r++) {
      const extra = Object.fromEntries(extraNames.map((c) => [c, columns[c][r]]));
      records.push({
        source: s.rows.source[r],
        label: s.rows.label[r],
        ...(s.rows.text ? { text: s.rows.text[r] } : {}),
        ...(s.rows.line?.[r] !== undefined ? { line: s.rows.line[r] } : {}),
        ...(extraNames.length ? { extra } : {}),
      });
    }
  }
  return { data, rows: next, cols, records, modality: first.modality, modelId: first.modelId, part: first.part };
}

/** Writes joined shards as `<out>` (.npy) and its row manifest, atomically. */
export async function writeAssembled(out: string, manifest: string, a: Assembled): Promise<void> {
  await writeFileAtomic(manifest, formatRowsCsv(a.records));
  await writeFileAtomic(out, encodeNpy({ data: a.data, rows: a.rows, cols: a.cols }));
}
