/**
 * @file Pretrained sentence encoders: any Transformers.js (ONNX) encoder-only text model,
 * mean-pooled over its tokens and L2-normalised, behind core's `Encoder<string>` contract.
 *
 * This does what `pipeline('feature-extraction')` does with `{ pooling: 'mean', normalize: true }`,
 * with three differences that matter here: loading honours `localOnly` all the way (the pipeline
 * factory reads config.json once without `local_files_only`), failures become latentkit errors,
 * and over-long texts keep their closing special token when truncated, as sentence-transformers
 * does, rather than losing it.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  EmptyInputError,
  InvalidArgumentError,
  LatentkitError,
  ModelFormatError,
  ModelNotFoundError,
  makeLatent,
  type Encoder,
  type Latent,
  type Matrix,
} from '@latentkit/core';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';

/** The model {@link SentenceEncoder.load} uses when given no name: 384-d, 6 layers, ~23 MB. */
export const DEFAULT_SENTENCE_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** Weight precision: `fp32` loads `onnx/model.onnx`, `q8` loads `onnx/model_quantized.onnx`. */
export type SentenceEncoderDtype = 'fp32' | 'q8';

/** What a caller may pass to {@link SentenceEncoder.load}. */
export interface SentenceEncoderOptions {
  /**
   * Never touch the network: a hub id must already be in the cache (or in Transformers.js's
   * `env.localModelPath`), otherwise loading fails at once with `ModelNotFoundError`.
   * Folder paths never use the network whatever this says.
   * @default false
   */
  localOnly?: boolean;
  /**
   * Folder for downloaded hub models (read first, written after a download).
   * @default Transformers.js's `env.cacheDir` (`node_modules/@huggingface/transformers/.cache/`)
   */
  cacheDir?: string;
  /** @default 'fp32' */
  dtype?: SentenceEncoderDtype;
  /**
   * Sentences per forward pass. Larger batches are faster up to the point where padding to the
   * longest sentence wastes work; sentences are sorted by length before batching to limit that.
   * @default 32
   */
  batchSize?: number;
  /**
   * Tokens per sentence, special tokens included; longer texts are truncated. Must not exceed
   * the model's own limit.
   * @default the smaller of the tokenizer's `model_max_length` and the model's
   * `max_position_embeddings` (512 when neither is given). sentence-transformers cuts
   * all-MiniLM-L6-v2 at 256 tokens; pass `maxTokens: 256` to match it exactly on long text.
   */
  maxTokens?: number;
}

/** The resolved, JSON-safe settings of a loaded {@link SentenceEncoder}. */
export interface SentenceEncoderConfig {
  /** The hub id as given, or the absolute folder path; also each latent's `model` field. */
  model: string;
  source: 'hub' | 'local';
  dtype: SentenceEncoderDtype;
  batchSize: number;
  maxTokens: number;
  /** Length of every sentence vector. */
  dimension: number;
}

const DEFAULT_BATCH_SIZE = 32;
const FALLBACK_MAX_TOKENS = 512;
/**
 * Texts are cut to `maxTokens * MAX_CHARS_PER_TOKEN` characters before tokenizing so a huge
 * string costs bounded time and memory. Every WordPiece/BPE token covers at least one character,
 * so this changes the result only for text averaging more than this many characters per token
 * (long whitespace runs, 100+ character unknown words).
 */
const MAX_CHARS_PER_TOKEN = 256;
const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
const MODEL_FILE: Record<SentenceEncoderDtype, string> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
};
/** Error texts and codes that mean "could not reach the hub", as opposed to a broken model. */
const UNREACHABLE = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network/i;

type Transformers = typeof import('@huggingface/transformers');
type TokenRows = Record<string, number[][]>;

/** Everything a forward pass needs; kept apart from the class so `load` can probe before constructing. */
interface Runtime {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  Tensor: Transformers['Tensor'];
  specialIds: ReadonlySet<number>;
  padId: bigint;
  maxTokens: number;
  name: string;
}

/**
 * A pretrained sentence encoder: text in, one unit-length vector per sentence out (mean of the
 * model's last hidden states over real tokens, then L2-normalised, so dot product = cosine).
 *
 * Defined input behaviour:
 * - `''` and whitespace-only text are encoded as-is: the tokenizer yields only the special
 *   tokens (`[CLS] [SEP]`), so all of them share one well-defined "empty sentence" vector. A
 *   model whose tokenizer adds no special tokens cannot encode them and throws `EmptyInputError`.
 * - Text longer than `maxTokens` tokens is truncated, not rejected: the first `maxTokens - 1`
 *   tokens are kept and the closing special token (`[SEP]`, `</s>`) is put back at the end.
 * - Batches are right-padded and padded positions are masked out of attention and pooling,
 *   so a sentence's vector does not depend on what it is batched with.
 *
 * @example
 * ```ts
 * const encoder = await SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true });
 * const [a, b] = await encoder.encode(['a dog runs', 'a cat sleeps']);
 * // a.shape = [64], a.modality = 'text'
 * await encoder.dispose();
 * ```
 */
export class SentenceEncoder implements Encoder<string> {
  /** The hub id used when {@link SentenceEncoder.load} is given none. */
  static readonly DEFAULT_MODEL = DEFAULT_SENTENCE_MODEL;

  /** Resolved settings; `config.model` is stamped on every latent. */
  readonly config: SentenceEncoderConfig;
  private readonly rt: Runtime;
  private disposed = false;

  private constructor(rt: Runtime, config: SentenceEncoderConfig) {
    this.rt = rt;
    this.config = config;
  }

  /**
   * Loads a sentence encoder from a Hugging Face hub id (downloaded once and cached where a
   * network exists) or from a local folder in the Transformers.js layout (`config.json`,
   * `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx`). A string is a folder when it
   * is absolute, starts with `.` or `~/`, or names an existing directory; otherwise it is a hub id.
   *
   * @param nameOrPath Hub id or folder path. @default `'Xenova/all-MiniLM-L6-v2'`
   * @param options Loading and batching options, see {@link SentenceEncoderOptions}.
   * @returns A ready encoder; call {@link SentenceEncoder.dispose} when done.
   * @throws {ModelNotFoundError} when the folder does not exist, or the hub id is neither cached
   *   nor downloadable (with `localOnly`, without trying the network), or the `q8` file is missing.
   * @throws {ModelFormatError} when the folder lacks config/tokenizer files or the model cannot
   *   be loaded or run.
   * @throws {InvalidArgumentError} on a bad option value.
   * @example
   * ```ts
   * const encoder = await SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true, batchSize: 8 });
   * ```
   */
  static async load(nameOrPath: string = DEFAULT_SENTENCE_MODEL, options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
    if (typeof nameOrPath !== 'string' || nameOrPath.trim() === '') {
      throw new InvalidArgumentError(`SentenceEncoder.load needs a hub id or a folder path, got ${JSON.stringify(nameOrPath)}.`);
    }
    const dtype = options.dtype ?? 'fp32';
    if (dtype !== 'fp32' && dtype !== 'q8') {
      throw new InvalidArgumentError(`Option dtype must be 'fp32' or 'q8', got ${JSON.stringify(dtype)}.`);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError(`Option batchSize must be a positive integer, got ${batchSize}.`);
    }
    if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 2)) {
      throw new InvalidArgumentError(`Option maxTokens must be an integer of at least 2, got ${options.maxTokens}.`);
    }

    const local = resolveLocalFolder(nameOrPath);
    if (local !== undefined) checkLocalFolder(local, dtype);
    const id = local ?? nameOrPath;

    const hf = await import('@huggingface/transformers');
    const hubOptions = {
      local_files_only: local !== undefined || options.localOnly === true,
      ...(options.cacheDir !== undefined ? { cache_dir: options.cacheDir } : {}),
    };
    const [tok, mod] = await Promise.allSettled([
      hf.AutoTokenizer.from_pretrained(id, hubOptions),
      hf.AutoModel.from_pretrained(id, { ...hubOptions, dtype, device: 'cpu' }),
    ]);
    if (tok.status === 'rejected' || mod.status === 'rejected') {
      if (mod.status === 'fulfilled') await mod.value.dispose();
      const reason: unknown = tok.status === 'rejected' ? tok.reason : (mod as PromiseRejectedResult).reason;
      throw loadError(reason, id, local !== undefined, options, hf.env.cacheDir);
    }
    const tokenizer = tok.value;
    const model = mod.value;

    try {
      const limit = modelTokenLimit(tokenizer, model);
      const maxTokens = options.maxTokens ?? limit;
      if (maxTokens > limit) {
        throw new InvalidArgumentError(`Option maxTokens is ${maxTokens} but model '${id}' handles at most ${limit} tokens.`);
      }
      const rt: Runtime = {
        tokenizer,
        model,
        Tensor: hf.Tensor,
        specialIds: new Set(tokenizer.all_special_ids),
        padId: BigInt(tokenizer.pad_token_id ?? 0),
        maxTokens,
        name: id,
      };
      // One tiny forward pass finds the vector size and proves the model runs before anyone relies on it.
      const { cols } = await runBatch(rt, ['.'], null, [0]);
      return new SentenceEncoder(rt, {
        model: id,
        source: local !== undefined ? 'local' : 'hub',
        dtype,
        batchSize,
        maxTokens,
        dimension: cols,
      });
    } catch (err) {
      await model.dispose();
      if (err instanceof LatentkitError) throw err;
      throw new ModelFormatError(`Sentence model '${id}' loaded but could not be run: ${errorText(err)}`, {
        cause: err,
        ...(local !== undefined ? { file: local } : {}),
      });
    }
  }

  /** Length of every sentence vector (384 for all-MiniLM-L6-v2, 64 for the tiny fixture). */
  get dimension(): number {
    return this.config.dimension;
  }

  /**
   * Encodes sentences into one `[n, dimension]` matrix of unit-length rows, in input order.
   *
   * @param sentences Any strings; see the class notes for empty and over-long text.
   * @returns Row `i` is the vector of `sentences[i]`; `rows = 0` for an empty list.
   * @throws {InvalidArgumentError} when an element is not a string or the encoder was disposed.
   * @throws {EmptyInputError} for empty text with a model that adds no special tokens.
   * @example
   * ```ts
   * const m = await encoder.embed(['first sentence', 'second sentence']); // m.rows = 2, m.cols = 64
   * ```
   */
  async embed(sentences: readonly string[]): Promise<Matrix> {
    if (this.disposed) throw new InvalidArgumentError(`SentenceEncoder for '${this.config.model}' was disposed.`);
    if (!Array.isArray(sentences)) throw new InvalidArgumentError('embed() needs an array of strings.');
    const n = sentences.length;
    const d = this.config.dimension;
    const maxChars = this.config.maxTokens * MAX_CHARS_PER_TOKEN;
    const texts = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const s: unknown = sentences[i];
      if (typeof s !== 'string') {
        throw new InvalidArgumentError(`Sentence ${i} is ${s === null ? 'null' : typeof s}, expected a string.`);
      }
      texts[i] = s.length > maxChars ? s.slice(0, maxChars) : s;
    }
    const data = new Float32Array(n * d);
    // Longest first, so each batch pads to a similar length; rows are written back in input order.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => texts[b].length - texts[a].length || a - b);
    const bs = this.config.batchSize;
    for (let start = 0; start < n; start += bs) {
      const rows = order.slice(start, start + bs);
      await runBatch(this.rt, rows.map((r) => texts[r]), data, rows);
    }
    return { data, rows: n, cols: d };
  }

  /**
   * Encodes sentences into latents of shape `[dimension]`, modality `'text'`, with `model` set to
   * the hub id or folder path.
   *
   * @param inputs Sentences; see {@link SentenceEncoder.embed}.
   * @returns One unit-length latent per sentence, in input order.
   * @throws {InvalidArgumentError} when an element is not a string or the encoder was disposed.
   * @example
   * ```ts
   * const [latent] = await encoder.encode(['hello world']); // latent.shape = [64]
   * ```
   */
  async encode(inputs: string[]): Promise<Latent[]> {
    const m = await this.embed(inputs);
    const d = m.cols;
    const out = new Array<Latent>(m.rows);
    for (let i = 0; i < m.rows; i++) out[i] = makeLatent(m.data.slice(i * d, (i + 1) * d), [d], 'text', this.config.model);
    return out;
  }

  /**
   * Releases the ONNX session. Later calls to `embed`/`encode` throw; calling twice is harmless.
   * @returns Resolves once the session is released.
   * @example
   * ```ts
   * await encoder.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.rt.model.dispose();
  }
}

/**
 * The absolute folder a name refers to, or undefined for a hub id. Absolute paths, `.`-relative
 * paths, Windows-style paths and existing directories are folders; so is anything a hub id cannot
 * look like (three or more segments), which then fails as a missing folder rather than a download.
 */
function resolveLocalFolder(nameOrPath: string): string | undefined {
  if (nameOrPath === '~' || nameOrPath.startsWith('~/')) return path.join(homedir(), nameOrPath.slice(1));
  const hubLike = /^[\w-][\w.-]*(\/[\w-][\w.-]*)?$/.test(nameOrPath) && !nameOrPath.includes('..');
  if (path.isAbsolute(nameOrPath) || nameOrPath.startsWith('.') || nameOrPath.includes('\\') || !hubLike) {
    return path.resolve(nameOrPath);
  }
  const candidate = path.resolve(nameOrPath);
  return isDirectory(candidate) ? candidate : undefined;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Fails fast, with the folder named, before Transformers.js starts reading files. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;
const MAX_ONNX_BYTES = 8 * 1024 * 1024 * 1024;

/**
 * Transformers.js reads whatever it is given whole: a FIFO blocks it forever and a link to
 * /dev/zero eats memory, so only bounded regular files are handed over.
 */
function checkRegularFile(file: string, maxBytes: number): void {
  const info = statSync(file);
  if (!info.isFile()) throw new ModelFormatError(`${file} is not a regular file; a model folder holds plain files.`, { file });
  if (info.size > maxBytes) throw new ModelFormatError(`${file} is ${info.size} bytes, over the ${maxBytes}-byte limit.`, { file });
}

function checkLocalFolder(dir: string, dtype: SentenceEncoderDtype): void {
  const layout = 'config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx';
  if (!isDirectory(dir)) {
    throw new ModelNotFoundError(
      `No sentence model folder at ${dir}. Pass a folder that holds ${layout} (the Transformers.js ` +
        `layout), or a Hugging Face id such as '${DEFAULT_SENTENCE_MODEL}', which is downloaded and ` +
        'cached where a network exists.',
      { file: dir, hint: 'Check the path, or download the model where a network exists and copy its folder here.' },
    );
  }
  for (const f of REQUIRED_FILES) {
    if (!existsSync(path.join(dir, f))) {
      throw new ModelFormatError(`Sentence model folder ${dir} has no ${f}; a Transformers.js model folder holds ${layout}.`, {
        file: path.join(dir, f),
      });
    }
    checkRegularFile(path.join(dir, f), MAX_JSON_BYTES);
  }
  const modelFile = path.join(dir, MODEL_FILE[dtype]);
  if (existsSync(modelFile)) checkRegularFile(modelFile, MAX_ONNX_BYTES);
  if (!existsSync(modelFile)) {
    const other = dtype === 'q8' ? 'fp32' : 'q8';
    const alt = existsSync(path.join(dir, MODEL_FILE[other])) ? ` It does have ${MODEL_FILE[other]}: pass dtype: '${other}'.` : '';
    throw new ModelNotFoundError(`Sentence model folder ${dir} has no ${MODEL_FILE[dtype]}, which dtype '${dtype}' loads.${alt}`, {
      file: modelFile,
    });
  }
}

/** Maps a Transformers.js loading failure to ModelNotFoundError (absent/unreachable) or ModelFormatError. */
function loadError(err: unknown, id: string, isLocal: boolean, options: SentenceEncoderOptions, defaultCache: string | null): LatentkitError {
  if (err instanceof LatentkitError) return err;
  const text = errorText(err);
  const code = String((err as { cause?: { code?: unknown } } | null)?.cause?.code ?? '');
  const missing = (err as { name?: unknown } | null)?.name === 'ModelFileNotFoundError' || UNREACHABLE.test(text) || UNREACHABLE.test(code);
  if (isLocal || !missing) {
    return new ModelFormatError(`Could not load sentence model '${id}': ${text}`, { cause: err, ...(isLocal ? { file: id } : {}) });
  }
  const cache = options.cacheDir ?? defaultCache ?? 'the Transformers.js cache';
  const why = options.localOnly
    ? `localOnly is set and it is not in the cache at ${cache}`
    : `it is not in the cache at ${cache} and the Hugging Face Hub could not be reached or does not have it (${text})`;
  return new ModelNotFoundError(
    `Sentence model '${id}' is not available: ${why}. To provide it, either load it once where a network ` +
      'exists (it is then cached), or put the model folder (config.json, tokenizer.json, ' +
      'tokenizer_config.json, onnx/model.onnx) on disk and pass its path, or set cacheDir to a cache ' +
      'that already holds it.',
    { cause: err, hint: `SentenceEncoder.load('/path/to/model-folder') or { cacheDir: '/path/to/cache' }` },
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The most tokens the model accepts: tokenizer limit and position table, whichever is smaller. */
function modelTokenLimit(tokenizer: PreTrainedTokenizer, model: PreTrainedModel): number {
  // Some tokenizer configs say 1e30 for "no limit"; treat anything absurd as unset.
  const fromTokenizer = Number(tokenizer.model_max_length);
  const fromPositions = Number((model.config as { max_position_embeddings?: unknown }).max_position_embeddings);
  let limit = Infinity;
  if (fromTokenizer > 0 && fromTokenizer < 1e7) limit = fromTokenizer;
  if (fromPositions > 0 && fromPositions < limit) limit = fromPositions;
  return Number.isFinite(limit) ? Math.floor(limit) : FALLBACK_MAX_TOKENS;
}

/**
 * Tokenizes, right-pads and truncates one batch, runs the model, mean-pools over real tokens and
 * L2-normalises, writing batch item `i` to row `rows[i]` of `out` (allocated when null).
 */
async function runBatch(rt: Runtime, texts: string[], out: Float32Array | null, rows: readonly number[]): Promise<{ data: Float32Array; cols: number }> {
  const enc = rt.tokenizer(texts, { padding: false, truncation: false, return_tensor: false }) as unknown as TokenRows;
  const ids = enc.input_ids;
  const n = ids.length;
  let len = 0;
  for (let i = 0; i < n; i++) {
    if (ids[i].length === 0) {
      throw new EmptyInputError(
        `Sentence ${rows[i]} produced no tokens and model '${rt.name}' adds no special tokens, so it has nothing to encode.`,
      );
    }
    len = Math.max(len, Math.min(ids[i].length, rt.maxTokens));
  }

  const feeds: Record<string, Tensor> = {};
  let mask: BigInt64Array | undefined;
  for (const key of Object.keys(enc)) {
    const src = enc[key];
    const buf = new BigInt64Array(n * len);
    for (let i = 0; i < n; i++) {
      const r = src[i];
      const base = i * len;
      const m = Math.min(r.length, rt.maxTokens);
      for (let p = 0; p < m; p++) buf[base + p] = BigInt(r[p]);
      // Truncated: put the closing special token back, as sentence-transformers does.
      const full = ids[i];
      if (full.length > rt.maxTokens && rt.specialIds.has(full[full.length - 1])) buf[base + m - 1] = BigInt(r[r.length - 1]);
      if (key === 'input_ids' && rt.padId !== 0n) buf.fill(rt.padId, base + m, base + len);
    }
    if (key === 'attention_mask') mask = buf;
    feeds[key] = new rt.Tensor('int64', buf, [n, len]);
  }
  if (mask === undefined) {
    // A tokenizer that returns no mask: every real token counts, padding does not.
    mask = new BigInt64Array(n * len);
    for (let i = 0; i < n; i++) mask.fill(1n, i * len, i * len + Math.min(ids[i].length, rt.maxTokens));
    feeds.attention_mask = new rt.Tensor('int64', mask, [n, len]);
  }

  const outputs = (await rt.model(feeds)) as Record<string, Tensor | undefined>;
  const hidden = outputs.last_hidden_state;
  if (hidden === undefined || hidden.dims.length !== 3 || !(hidden.data instanceof Float32Array)) {
    throw new ModelFormatError(
      `Sentence model '${rt.name}' returned ${Object.keys(outputs).join(', ') || 'nothing'}` +
        (hidden ? ` (last_hidden_state ${hidden.type} [${hidden.dims.join(', ')}])` : '') +
        ', expected a float32 last_hidden_state of shape [batch, tokens, dim].',
    );
  }
  const h = hidden.data;
  const d = hidden.dims[2];
  const data = out ?? new Float32Array(n * d);
  const acc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    let count = 0;
    for (let p = 0; p < len; p++) {
      if (mask[i * len + p] === 0n) continue;
      count++;
      const base = (i * len + p) * d;
      for (let k = 0; k < d; k++) acc[k] += h[base + k];
    }
    let sq = 0;
    for (let k = 0; k < d; k++) {
      acc[k] /= count;
      sq += acc[k] * acc[k];
    }
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    const o = rows[i] * d;
    for (let k = 0; k < d; k++) data[o + k] = acc[k] * scale;
  }
  for (const t of Object.values(outputs)) t?.dispose();
  return { data, cols: d };
}
