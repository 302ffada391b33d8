/**
 * @file LatentStore: codes with their row manifests in an embedded LanceDB folder, one table
 * per modality ("space"), searched exactly while small and through an IVF index once large,
 * within a modality or across modalities through a learned map.
 *
 * Safety comes from LanceDB's versioning: every `add` is one commit (its data files are
 * written first, then a new manifest is renamed into place), so a process killed mid-ingest
 * leaves the previous version as the latest readable one. The store's own description file
 * is replaced atomically, and a write lock keeps ids unique across writers.
 */
import { mkdir, stat } from 'node:fs/promises';
import * as lancedb from '@lancedb/lancedb';
import { InvalidArgumentError, ShapeMismatchError, toMatrix, type MatrixLike, type RowManifest, type RowRecord } from '@latentkit/core';
import { codesTable, UNIT_COLUMN, type RowColumns } from './arrow.js';
import { StoreMismatchError, StoreNotFoundError } from './errors.js';
import { acquireWriteLock } from './lock.js';
import type { LatentMap } from './maps.js';
import { readStoreFile, STORE_FILE, writeStoreFile, type SpaceInfo, type StoreFile, type StoreMetric } from './meta.js';

/** Below this many rows a space is searched exactly (a full scan of 100k x 32 takes a few ms). */
export const INDEX_MIN_ROWS = 100_000;
/** A space is re-indexed when rows added since its index pass this share of the indexed rows. */
const REINDEX_SHARE = 0.25;
/**
 * Partitions probed per query by default: the share of an IVF index a query scans. Chosen
 * from `npm run bench -- store` (recall@10 >= 0.95 on 1M x 32-d codes; see README).
 */
export const DEFAULT_PROBE_SHARE = 0.02;
const VECTOR_INDEX = 'vector_idx';

/** Options of {@link LatentStore.add}. */
export interface AddOptions {
  /** The modality of the codes (`image`, `audio`, `text`): the space they go to. */
  modality: string;
  /** Fingerprint of the model that made them ({@link modelFingerprint}); a space holds one model's codes. */
  modelId: string;
  /** The model folder, recorded so queries given as inputs can be encoded with it. */
  modelDir?: string;
  /** The part of the code the rows hold (`encode --part`), when not the whole code. */
  part?: string;
  /** How the space compares codes; only when it is created. @default 'cosine' */
  metric?: StoreMetric;
  /** Build or refresh the approximate index when the space is large enough. @default true */
  index?: boolean;
  /** Rows from which the space is indexed. @default {@link INDEX_MIN_ROWS} */
  indexMinRows?: number;
}

/** What {@link LatentStore.add} did. */
export interface AddResult {
  /** Ids given to the new rows: `firstId .. firstId + added - 1`. */
  firstId: number;
  added: number;
  /** Rows in the space now. */
  total: number;
  /** Whether the space is searched through an approximate index now. */
  indexed: boolean;
}

/** A query: a code of a space, or a stored row of it. */
export type StoreQuery = { modality: string; vector: ArrayLike<number> } | { modality?: string; row: number };

/** Options of {@link LatentStore.search}. */
export interface SearchOptions {
  /** Neighbours returned. @default 10 */
  k?: number;
  /** Search this modality's space instead of the query's own (needs `map` unless they share a model). */
  across?: string;
  /** Maps query codes into the `across` space (a RidgeMap or MlpMap, see `loadLatentMap`). */
  map?: LatentMap;
  /** Scan every row even when the space has an index. @default false */
  exact?: boolean;
  /** IVF partitions probed (more: slower, better recall). @default 2% of them, at least 16 */
  nprobes?: number;
}

/** One neighbour. */
export interface SearchHit {
  /** The row's id: its position in the space, counting from 0 in the order rows were added. */
  id: number;
  /** Distance under the space's metric (cosine: 1 - cos). */
  distance: number;
  modality: string;
  source: string;
  /** Line of a text file (from 1), when the row is one line of it. */
  line?: number;
  label: string;
  text?: string;
  modelId: string;
}

/** One space as {@link LatentStore.info} reports it. */
export interface SpaceSummary extends SpaceInfo {
  modality: string;
  rows: number;
  /** Whether an approximate index covers it (else: exact search). */
  indexed: boolean;
}

/** Modality names become table names, so they are kept to safe characters. */
const MODALITY = /^[a-z][a-z0-9_-]{0,63}$/;

function assertModality(name: string): void {
  if (!MODALITY.test(name)) throw new InvalidArgumentError(`'${name}' is not a modality name (lower-case letters, digits, '-' and '_').`);
}

/** The manifest's columns for rows of the store. */
function rowColumns(rows: RowManifest | readonly RowRecord[]): RowColumns {
  if ('columns' in rows) {
    return {
      source: rows.source,
      label: rows.label,
      line: Array.from({ length: rows.length }, (_, i) => rows.line?.[i] ?? null),
      text: rows.text ? rows.text.map((t) => t || null) : new Array<null>(rows.length).fill(null),
    };
  }
  return {
    source: rows.map((r) => r.source),
    label: rows.map((r) => r.label ?? ''),
    line: rows.map((r) => r.line ?? null),
    text: rows.map((r) => r.text ?? null),
  };
}


/**
 * Codes with their row manifests, stored in a folder and searched by nearest neighbours.
 *
 * @example
 * ```ts
 * const store = await LatentStore.open('codes.db');
 * await store.add(codes, parseRowsCsv(csv), { modality: 'image', modelId: await modelFingerprint('model/') });
 * const hits = await store.search({ modality: 'image', row: 0 }, { k: 10 });
 * store.close();
 * ```
 */
export class LatentStore {
  /** Open tables, their layout and probe counts, by table name: opening a table reads its manifest, too slow per query. */
  private readonly tables = new Map<string, Searchable>();

  private constructor(
    /** The store folder. */
    readonly dir: string,
    private readonly db: lancedb.Connection,
    private meta: StoreFile,
  ) {}

  /**
   * Opens the store in `dir`, creating an empty one unless `mustExist`.
   * @throws {StoreNotFoundError} with `mustExist` when the folder holds no store.
   * @throws {StoreFormatError} when its description file is damaged.
   */
  static async open(dir: string, options: { mustExist?: boolean } = {}): Promise<LatentStore> {
    let meta = await readStoreFile(dir).catch(async (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new StoreNotFoundError(`${dir} is a file, not a store folder.`, { file: dir });
      throw e;
    });
    if (!meta) {
      if (options.mustExist) {
        const exists = await stat(dir).then(() => true, () => false);
        throw new StoreNotFoundError(`${dir}: ${exists ? `no store here (it has no ${STORE_FILE})` : 'no such folder'}.`, {
          file: dir,
          hint: 'Make one with `latentkit index add --db <dir> --codes x.npy --rows x.rows.csv`.',
        });
      }
      meta = { kind: 'latentkit/store', version: 1, spaces: {} };
    }
    await mkdir(dir, { recursive: true });
    return new LatentStore(dir, await lancedb.connect(dir), meta);
  }

  /** The space of each modality, with its row count. */
  async info(): Promise<SpaceSummary[]> {
    const out: SpaceSummary[] = [];
    for (const [modality, s] of Object.entries(this.meta.spaces)) {
      const table = await this.table(s);
      const rows = table ? await table.countRows() : 0;
      const indexed = table ? (await table.listIndices()).some((i) => i.name === VECTOR_INDEX) : false;
      out.push({ modality, ...s, rows, indexed });
    }
    return out;
  }

  /** The space of a modality. @throws {StoreMismatchError} when the store has none. */
  space(modality: string): SpaceInfo {
    const s = this.meta.spaces[modality];
    if (!s) {
      const have = Object.keys(this.meta.spaces);
      throw new StoreMismatchError(`${this.dir}: the store holds no ${modality} codes (it holds ${have.length ? have.join(', ') : 'none yet'}).`, { file: this.dir });
    }
    return s;
  }

  /** The modalities the store holds codes of. */
  get modalities(): string[] {
    return Object.keys(this.meta.spaces);
  }

  /**
   * Appends codes and their rows to the space of `options.modality`, as one commit.
   * @param codes `n x d` codes (row `i` described by `rows[i]`).
   * @param rows the row manifest (parsed `x.rows.csv`) or one record per row.
   * @param options the modality and model, see {@link AddOptions}.
   * @returns the ids given and the space's size.
   * @throws {ShapeMismatchError} when rows and codes differ in count.
   * @throws {InvalidArgumentError} on non-finite codes, or a bad modality name.
   * @throws {StoreMismatchError} when the space holds another model's codes or another dimension.
   * @throws {StoreLockedError} when another process is writing.
   */
  async add(codes: MatrixLike, rows: RowManifest | readonly RowRecord[], options: AddOptions): Promise<AddResult> {
    const m = toMatrix(codes);
    assertModality(options.modality);
    if (m.rows === 0) throw new InvalidArgumentError('No codes to add.');
    if (rows.length !== m.rows) throw new ShapeMismatchError(`${m.rows} codes but ${rows.length} rows in the manifest; they must describe the same rows.`);
    for (let i = 0; i < m.data.length; i++) {
      if (!Number.isFinite(m.data[i])) throw new InvalidArgumentError(`Code ${Math.floor(i / m.cols)} holds a non-finite value; such a row cannot be searched.`);
    }
    const columns = rowColumns(rows);
    const release = await acquireWriteLock(this.dir);
    try {
      // Another process may have added a space since this store was opened.
      this.meta = (await readStoreFile(this.dir)) ?? this.meta;
      let s = this.meta.spaces[options.modality];
      if (s) {
        if (s.dim !== m.cols) throw new StoreMismatchError(`${this.dir}: ${options.modality} codes here have ${s.dim} values, these have ${m.cols}.`, { file: this.dir });
        if (s.modelId !== options.modelId) {
          throw new StoreMismatchError(`${this.dir}: ${options.modality} codes here come from model ${s.modelId}, these from ${options.modelId}; codes of two models are not comparable.`, {
            file: this.dir,
            hint: 'Use another --db for the other model, or re-encode with the model the store holds.',
          });
        }
        if ((s.part ?? 'all') !== (options.part ?? 'all')) {
          throw new StoreMismatchError(`${this.dir}: ${options.modality} codes here are part '${s.part ?? 'all'}', these are '${options.part ?? 'all'}'.`, { file: this.dir });
        }
      } else {
        s = {
          table: `codes_${options.modality}`,
          dim: m.cols,
          metric: options.metric ?? 'cosine',
          modelId: options.modelId,
          ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}),
          ...(options.part !== undefined && options.part !== 'all' ? { part: options.part } : {}),
        };
        // Declared before any row is written: a space with no table yet reads as empty.
        this.meta = { ...this.meta, spaces: { ...this.meta.spaces, [options.modality]: s } };
        await writeStoreFile(this.dir, this.meta);
      }
      let table = await this.table(s);
      const firstId = table ? await table.countRows() : 0;
      const layout = table ? await layoutOf(table, s.metric) : newLayout(s.metric);
      const data = codesTable(m.data, m.rows, m.cols, firstId, columns, options.modelId, layout.column === UNIT_COLUMN);
      if (table) await table.add(data);
      else table = await this.db.createTable(s.table, data, { mode: 'create', existOk: false });
      const total = firstId + m.rows;
      const indexed = options.index === false ? await hasIndex(table) : await refreshIndex(table, layout, total, options.indexMinRows ?? INDEX_MIN_ROWS);
      this.tables.delete(s.table);
      return { firstId, added: m.rows, total, indexed };
    } finally {
      await release();
    }
  }

  /**
   * The stored code of row `id` of a modality's space.
   * @throws {InvalidArgumentError} when there is no such row.
   */
  async vector(modality: string, id: number): Promise<Float32Array> {
    const s = this.space(modality);
    const table = await this.table(s);
    const total = table ? await table.countRows() : 0;
    if (!Number.isInteger(id) || id < 0 || id >= total) throw new InvalidArgumentError(`Row ${id} is not in the ${modality} codes (rows 0 to ${total - 1}).`);
    const [r] = await table!.query().where(`id = ${id}`).select(['vector']).limit(1).toArray();
    return Float32Array.from(r.vector.toArray() as Float32Array);
  }

  /**
   * The `k` stored rows nearest to a query, nearest first.
   * @param query a code with its modality, or a stored row (`{ row: 12 }`; the modality may be
   *   left out when the store holds one). A stored row finds itself first, at distance 0.
   * @param options see {@link SearchOptions}.
   * @throws {StoreMismatchError} when the store has no such space, or the query's length is not the space's.
   * @throws {InvalidArgumentError} on a bad `k`, a non-finite query, or `across` another modality without a map.
   */
  async search(query: StoreQuery, options: SearchOptions = {}): Promise<SearchHit[]> {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new InvalidArgumentError(`k must be an integer from 1 to 10000, got ${k}.`);
    let modality = query.modality;
    if (modality === undefined) {
      if (this.modalities.length !== 1) throw new InvalidArgumentError(`Name the query's modality; the store holds ${this.modalities.join(', ') || 'nothing'}.`);
      modality = this.modalities[0];
    }
    const from = this.space(modality);
    let vector = 'row' in query ? await this.vector(modality, query.row) : Float32Array.from(query.vector);
    if (vector.length !== from.dim) throw new StoreMismatchError(`The query has ${vector.length} values; ${modality} codes in this store have ${from.dim}.`, { file: this.dir });
    if (!vector.every(Number.isFinite)) throw new InvalidArgumentError('The query holds a non-finite value.');
    const target = options.across ?? modality;
    const to = this.space(target);
    if (options.map) {
      if (options.map.inputDim !== from.dim || options.map.outputDim !== to.dim) {
        throw new StoreMismatchError(`The map takes ${options.map.inputDim} values to ${options.map.outputDim}; ${modality} -> ${target} here is ${from.dim} -> ${to.dim}.`, { file: this.dir });
      }
      vector = options.map.apply([vector]).data;
    } else if (target !== modality && from.modelId !== to.modelId) {
      throw new InvalidArgumentError(`Searching ${target} codes with a ${modality} query needs a map between the two spaces (a RidgeMap or MlpMap saved as JSON).`);
    }
    const open = await this.searchable(to);
    if (!open) return [];
    const { layout } = open;
    if (layout.column === UNIT_COLUMN) vector = unitQuery(vector);
    let q = open.table.vectorSearch(vector).column(layout.column).distanceType(layout.distance).limit(k).select(['id', 'source', 'line', 'label', 'text', 'model_id', '_distance']);
    if (options.exact) q = q.bypassVectorIndex();
    else if (open.nprobes !== undefined) q = q.nprobes(options.nprobes ?? open.nprobes);
    const rows = await q.toArray();
    return rows.map((r) => ({
      id: Number(r.id),
      // Clamped: float32 rounding can make a row's distance to itself a hair below 0.
      distance: Math.max(0, Number(r._distance) * layout.scale),
      modality: target,
      source: String(r.source),
      ...(r.line !== null && r.line !== undefined ? { line: Number(r.line) } : {}),
      label: r.label ?? '',
      ...(r.text !== null && r.text !== undefined ? { text: String(r.text) } : {}),
      modelId: String(r.model_id),
    }));
  }

  /** Releases the connection. */
  close(): void {
    for (const { table } of this.tables.values()) table.close();
    this.tables.clear();
    this.db.close();
  }

  /** The space's table kept open for queries, with its layout and default probes (undefined: no index). */
  private async searchable(s: SpaceInfo): Promise<Searchable | undefined> {
    const cached = this.tables.get(s.table);
    if (cached) return cached;
    const table = await this.table(s);
    if (!table) return undefined;
    const stats = await table.indexStats(VECTOR_INDEX);
    const entry = { table, layout: await layoutOf(table, s.metric), nprobes: stats ? defaultProbes(partitionsFor(stats.numIndexedRows)) : undefined };
    this.tables.set(s.table, entry);
    return entry;
  }

  /** The space's table, or undefined before its first rows are committed. */
  private async table(s: SpaceInfo): Promise<lancedb.Table | undefined> {
    const names = await this.db.tableNames();
    return names.includes(s.table) ? this.db.openTable(s.table) : undefined;
  }
}

/**
 * How a table is searched. Cosine spaces are searched by squared L2 distance between unit-length
 * copies of the codes (the `unit` column): for unit vectors |a - b|^2 = 2 (1 - cos), so the order
 * is cosine's and half the distance is cosine's. LanceDB 0.31's cosine search cost about 20x the
 * CPU per scanned row of its L2 search here (1M x 32-d IVF-flat, 20 of 1,000 partitions probed:
 * 10-15 ms against 2-3 ms of CPU per query, index cached; `npm run bench -- store`).
 * Tables written before the unit column existed are searched by LanceDB's cosine on `vector`.
 */
interface Layout {
  column: 'vector' | typeof UNIT_COLUMN;
  /** LanceDB's distance type on that column (also the index's). */
  distance: StoreMetric;
  /** Factor from LanceDB's distance to the space's metric. */
  scale: number;
}

/** An open table, how it is searched, and its default probes (undefined: no index). */
interface Searchable {
  table: lancedb.Table;
  layout: Layout;
  nprobes: number | undefined;
}

function newLayout(metric: StoreMetric): Layout {
  return metric === 'cosine' ? { column: UNIT_COLUMN, distance: 'l2', scale: 0.5 } : { column: 'vector', distance: metric, scale: 1 };
}

async function layoutOf(table: lancedb.Table, metric: StoreMetric): Promise<Layout> {
  const unit = (await table.schema()).fields.some((f) => f.name === UNIT_COLUMN);
  return unit ? newLayout(metric) : { column: 'vector', distance: metric, scale: 1 };
}

/** The query's unit-length copy. @throws {InvalidArgumentError} for a zero query (no direction to compare). */
function unitQuery(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  if (n === 0) throw new InvalidArgumentError('The query is all zeros; under cosine distance it has no direction to compare.');
  const inv = 1 / Math.sqrt(n);
  return Float32Array.from(v, (x) => x * inv);
}

/** IVF partitions for `n` rows: about sqrt(n), so a partition and the centroid list are both ~sqrt(n) long. */
export function partitionsFor(n: number): number {
  return Math.max(16, Math.min(4096, Math.round(Math.sqrt(n))));
}

/** Partitions a query probes by default. */
export function defaultProbes(partitions: number): number {
  return Math.min(partitions, Math.max(16, Math.ceil(partitions * DEFAULT_PROBE_SHARE)));
}

async function hasIndex(table: lancedb.Table): Promise<boolean> {
  return (await table.listIndices()).some((i) => i.name === VECTOR_INDEX);
}

/**
 * Builds the IVF index once a space reaches {@link INDEX_MIN_ROWS}, and rebuilds it when the
 * rows added since pass {@link REINDEX_SHARE} of it (LanceDB scans unindexed rows exactly, so
 * results stay right in between; only speed suffers). IVF-flat, not IVF-PQ: codes of tens of
 * dimensions are already small, so compression buys little memory, costs recall, and trained
 * 9x slower here (200k x 32-d: 144 s vs 16 s).
 * @returns whether the space has an index now.
 */
async function refreshIndex(table: lancedb.Table, layout: Layout, total: number, minRows: number): Promise<boolean> {
  if (total < minRows) return hasIndex(table);
  const stats = await table.indexStats(VECTOR_INDEX);
  if (stats && stats.numUnindexedRows <= REINDEX_SHARE * stats.numIndexedRows) return true;
  await table.createIndex(layout.column, {
    config: lancedb.Index.ivfFlat({ numPartitions: partitionsFor(total), distanceType: layout.distance }),
    replace: true,
    name: VECTOR_INDEX,
  });
  return true;
}
