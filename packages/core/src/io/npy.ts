/**
 * @file Array export and import: NumPy `.npy` bytes (what Python tools load with
 * `np.load`) and a plain JSON form of latents. Bytes in, bytes out, no file system: this
 * module runs in a page as well (the files are read and written by npy-file.ts).
 *
 * Writing produces exactly the bytes NumPy's `np.save` writes for float32 and int32 arrays
 * (format 1.0, C order, header padded to 64 bytes including NumPy's spare space for the
 * growing axis). Reading accepts format 1.0-3.0, little- or big-endian floats and
 * integers, and checks every field before allocating anything larger than the file.
 */
import {
  DecodeError,
  InputTooLargeError,
  InvalidArgumentError,
  ShapeMismatchError,
  UnsupportedFormatError,
} from '../errors/errors.js';
import { shapeSize, type Latent, type LatentBatch } from '../latent/latent.js';
import type { Matrix } from '../math/matrix.js';

/** A decoded `.npy` array: float types become `float32`, integer types `int32`. */
export type NpyArray =
  | { dtype: 'float32'; data: Float32Array; shape: number[] }
  | { dtype: 'int32'; data: Int32Array; shape: number[] };

/** What {@link encodeNpy} accepts: a {@link Matrix}, a latent batch, or data with a shape. */
export type NpyInput = Matrix | { data: Float32Array | Int32Array; shape: readonly number[] };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** NumPy leaves room for the first axis to grow to this many digits (numpy/lib/format.py). */
const GROWTH_AXIS_MAX_DIGITS = 21;
const MAX_HEADER_BYTES = 1 << 20;
const MAX_RANK = 64;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Latin-1 text of a header (versions 1 and 2). Not TextDecoder('latin1'): the Encoding
 * standard maps that label to windows-1252, which differs from Latin-1 at 0x80-0x9f.
 */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** Python's repr of a shape tuple: `()`, `(5,)`, `(2, 3)`. */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

function inputShape(array: NpyInput): { data: Float32Array | Int32Array; shape: number[] } {
  const shape = 'rows' in array ? [array.rows, array.cols] : [...array.shape];
  const data = array.data;
  if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
    throw new InvalidArgumentError('encodeNpy writes Float32Array or Int32Array data.');
  }
  if (shape.length > MAX_RANK || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeMismatchError(`encodeNpy: shape [${shape.join(', ')}] must be at most ${MAX_RANK} non-negative integers.`);
  }
  if (shapeSize(shape) !== data.length) {
    throw new ShapeMismatchError(`encodeNpy: shape [${shape.join(', ')}] needs ${shapeSize(shape)} values, data has ${data.length}.`);
  }
  return { data, shape };
}

/**
 * Encodes an array as a NumPy `.npy` file (format 1.0, `<f4` or `<i4`, C order), byte for
 * byte what `np.save` writes.
 * @param array - a {@link Matrix} (`[rows, cols]`), a `LatentBatch`, or `{ data, shape }`.
 * @returns the file's bytes.
 * @throws {ShapeMismatchError} when `data.length` does not match the shape.
 * @throws {InvalidArgumentError} for data other than Float32Array / Int32Array.
 * @example
 * ```ts
 * const bytes = encodeNpy({ data: new Float32Array(6), shape: [2, 3] }); // 152 bytes
 * ```
 */
export function encodeNpy(array: NpyInput): Uint8Array {
  const { data, shape } = inputShape(array);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Same rule as numpy's _wrap_header: pad so magic + length field + header + '\n' is a
  // multiple of 64 (a full 64 spaces when it already is).
  const version = header.length + 1 + 10 + ALIGN > 0xffff ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  const pad = ALIGN - ((prefix + header.length + 1) % ALIGN);
  const headerLen = header.length + pad + 1;
  const out = new Uint8Array(prefix + headerLen + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.fill(0x20, prefix + header.length, prefix + headerLen - 1);
  out[prefix + headerLen - 1] = 0x0a;
  const offset = prefix + headerLen;
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
  } else {
    for (let i = 0; i < data.length; i++) {
      if (data instanceof Float32Array) view.setFloat32(offset + 4 * i, data[i], true);
      else view.setInt32(offset + 4 * i, data[i], true);
    }
  }
  return out;
}

type HeaderValue = string | boolean | number[];

/** A parser for the Python literal NumPy writes as the header: a dict of str, bool and int tuples. */
class HeaderParser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly file: string | undefined,
  ) {}

  fail(msg: string): never {
    throw new DecodeError(`${this.where()}malformed .npy header: ${msg} (header: ${JSON.stringify(this.s.slice(0, 200))}).`, this.opts());
  }

  where(): string {
    return this.file ? `${this.file}: ` : '';
  }

  opts(): { file?: string } {
    return this.file ? { file: this.file } : {};
  }

  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }

  private eat(ch: string): boolean {
    this.ws();
    if (this.s[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`expected '${ch}' at offset ${this.pos}`);
  }

  private string(): string {
    this.ws();
    const q = this.s[this.pos];
    if (q !== "'" && q !== '"') this.fail(`expected a string at offset ${this.pos}`);
    const end = this.s.indexOf(q, this.pos + 1);
    if (end < 0) this.fail('unterminated string');
    const v = this.s.slice(this.pos + 1, end);
    this.pos = end + 1;
    return v;
  }

  private value(key: string): HeaderValue {
    this.ws();
    const c = this.s[this.pos];
    if (c === "'" || c === '"') return this.string();
    if (this.s.startsWith('True', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (this.s.startsWith('False', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (c === '(') {
      this.pos++;
      const dims: number[] = [];
      while (!this.eat(')')) {
        this.ws();
        const m = /^(\d{1,16})L?/.exec(this.s.slice(this.pos, this.pos + 18));
        if (!m) this.fail(`expected a non-negative integer in '${key}' at offset ${this.pos}`);
        dims.push(Number(m[1]));
        this.pos += m[0].length;
        if (!this.eat(',')) {
          this.expect(')');
          break;
        }
      }
      return dims;
    }
    if (c === '[') {
      throw new UnsupportedFormatError(`${this.where()}structured .npy arrays (a list in '${key}') are not supported.`, this.opts());
    }
    return this.fail(`unexpected value for '${key}' at offset ${this.pos}`);
  }

  dict(): Map<string, HeaderValue> {
    const out = new Map<string, HeaderValue>();
    this.expect('{');
    while (!this.eat('}')) {
      const key = this.string();
      this.expect(':');
      out.set(key, this.value(key));
      if (!this.eat(',')) {
        this.expect('}');
        break;
      }
    }
    this.ws();
    if (this.pos !== this.s.length) this.fail(`unexpected text after the dict at offset ${this.pos}`);
    return out;
  }
}

interface DtypeInfo {
  size: number;
  little: boolean;
  out: 'float32' | 'int32';
  read: (v: DataView, offset: number, little: boolean) => number;
}

function dtypeInfo(descr: string, where: string, opts: { file?: string }): DtypeInfo {
  const m = /^([<>|=])([fiu])(\d+)$/.exec(descr);
  const kinds: Record<string, DtypeInfo['read']> = {
    f4: (v, o, l) => v.getFloat32(o, l),
    f8: (v, o, l) => v.getFloat64(o, l),
    i1: (v, o) => v.getInt8(o),
    u1: (v, o) => v.getUint8(o),
    i2: (v, o, l) => v.getInt16(o, l),
    u2: (v, o, l) => v.getUint16(o, l),
    i4: (v, o, l) => v.getInt32(o, l),
    i8: (v, o, l) => {
      const x = v.getBigInt64(o, l);
      if (x > 2147483647n || x < -2147483648n) {
        throw new UnsupportedFormatError(`${where}int64 value ${x} does not fit int32.`, opts);
      }
      return Number(x);
    },
  };
  const read = m ? kinds[m[2] + m[3]] : undefined;
  if (!m || !read) {
    throw new UnsupportedFormatError(
      `${where}.npy dtype '${descr}' is not supported; expected one of <f4, <f8, <i4, <i8, <i2, |u1 (any byte order).`,
      opts,
    );
  }
  const size = Number(m[3]);
  const little = m[1] === '<' || m[1] === '|' || (m[1] === '=' && LITTLE_ENDIAN_HOST);
  return { size, little, out: m[2] === 'f' ? 'float32' : 'int32', read };
}

/**
 * Decodes a NumPy `.npy` file. `<f4` is returned as is; `<f8` is rounded to float32;
 * integer types up to 32 bits (and int64 values that fit) become int32. Big-endian data is
 * byte-swapped.
 * @param bytes - the whole file.
 * @param file - the file name, for error messages.
 * @returns the array with its shape (`[]` for a scalar).
 * @throws {DecodeError} on a bad magic, malformed or truncated header, or a data size that
 *   does not match the shape (truncated or trailing bytes).
 * @throws {UnsupportedFormatError} on Fortran order, structured or unsupported dtypes, or an
 *   unknown format version.
 * @example
 * ```ts
 * const arr = decodeNpy(await readFile('codes.npy'), 'codes.npy');
 * if (arr.dtype === 'float32') console.log(arr.shape); // [60000, 32]
 * ```
 */
export function decodeNpy(bytes: Uint8Array, file?: string): NpyArray {
  const where = file ? `${file}: ` : '';
  const opts = file ? { file } : {};
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DecodeError(`${where}not a .npy file (the first bytes are not \\x93NUMPY).`, opts);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw new UnsupportedFormatError(`${where}.npy format version ${major}.${bytes[7]} is not supported (1.0-3.0 are).`, opts);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new DecodeError(`${where}.npy file is truncated inside its preamble.`, opts);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES) {
    throw new DecodeError(`${where}.npy header claims ${headerLen} bytes; at most ${MAX_HEADER_BYTES} are accepted.`, opts);
  }
  if (prefix + headerLen > bytes.length) {
    throw new DecodeError(`${where}.npy file is truncated: the header needs ${headerLen} bytes, ${bytes.length - prefix} remain.`, opts);
  }
  const headerBytes = bytes.subarray(prefix, prefix + headerLen);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const parser: HeaderParser = new HeaderParser(header, file); // annotated so fail() narrows types
  const dict = parser.dict();
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  for (const key of dict.keys()) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape') parser.fail(`unknown key '${key}'`);
  }
  if (typeof descr !== 'string') parser.fail(`'descr' should be a string`);
  if (typeof fortran !== 'boolean') parser.fail(`'fortran_order' should be True or False`);
  if (!Array.isArray(shape)) parser.fail(`'shape' should be a tuple of integers`);
  if (fortran) {
    throw new UnsupportedFormatError(`${where}.npy arrays in Fortran order are not supported; save with C order (np.ascontiguousarray).`, opts);
  }
  if (shape.length > MAX_RANK) parser.fail(`'shape' has ${shape.length} axes; at most ${MAX_RANK} are supported`);
  const info = dtypeInfo(descr, where, opts);
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) throw new InputTooLargeError(`${where}.npy shape ${shapeRepr(shape)} is too large.`, opts);
  }
  const offset = prefix + headerLen;
  const available = bytes.length - offset;
  const needed = count * info.size;
  if (available < needed) {
    throw new DecodeError(
      `${where}.npy data is truncated: shape ${shapeRepr(shape)} of '${descr}' needs ${needed} bytes, found ${available}.`,
      opts,
    );
  }
  if (available > needed) {
    throw new DecodeError(
      `${where}.npy data size mismatch: shape ${shapeRepr(shape)} of '${descr}' needs ${needed} bytes, found ${available} (trailing data).`,
      opts,
    );
  }
  if ((descr.slice(1) === 'f4' || descr.slice(1) === 'i4') && info.little === LITTLE_ENDIAN_HOST) {
    // A fresh copy is aligned and never aliases `bytes` (a Node Buffer may sit in a shared
    // pool, and Buffer#slice does not copy; a fetched ArrayBuffer may be reused by the caller).
    const raw = new Uint8Array(needed);
    raw.set(bytes.subarray(offset, offset + needed));
    return info.out === 'float32'
      ? { dtype: 'float32', data: new Float32Array(raw.buffer), shape: [...shape] }
      : { dtype: 'int32', data: new Int32Array(raw.buffer), shape: [...shape] };
  }
  const data = info.out === 'float32' ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) data[i] = info.read(view, offset + i * info.size, info.little);
  return info.out === 'float32'
    ? { dtype: 'float32', data: data as Float32Array, shape: [...shape] }
    : { dtype: 'int32', data: data as Int32Array, shape: [...shape] };
}

/**
 * Views a decoded array as a {@link Matrix}: rows along the first axis, the other axes
 * flattened (a 1-D array becomes one column). Integer data is converted to float32.
 * @param array - a decoded array of rank >= 1.
 * @returns the matrix (no copy for float32).
 * @throws {ShapeMismatchError} for a scalar (rank 0).
 * @example
 * ```ts
 * const pca = await PCA.fit(npyToMatrix(await readNpy('codes.npy')), 2);
 * ```
 */
export function npyToMatrix(array: NpyArray): Matrix {
  if (array.shape.length === 0) throw new ShapeMismatchError('A scalar .npy array cannot be used as a matrix.');
  const rows = array.shape[0];
  const cols = shapeSize(array.shape.slice(1));
  const data = array.dtype === 'float32' ? array.data : Float32Array.from(array.data);
  return { data, rows, cols };
}

/** One latent in JSON (see {@link latentsToJSON}). */
export interface LatentJson {
  modality: string;
  model: string;
  shape: number[];
  /** Row-major values, in the shortest decimal form that reads back to the same float32. */
  data: number[];
  parts?: Record<string, LatentJson>;
}

/** The shortest decimal that rounds back to the same float32 (JSON stays compact). */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  let lo = 1;
  let hi = 9; // 9 significant digits always round-trip a float32
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  return Number(v.toPrecision(lo));
}

function latentJson(data: Float32Array, shape: number[], modality: string, model: string): LatentJson {
  const values = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`latentsToJSON: value ${v} cannot be written as JSON.`);
    values[i] = shortestFloat32(v);
  }
  return { modality, model, shape: [...shape], data: values };
}

/**
 * Converts latents (a list, or a batch) into plain JSON-safe objects, one per sample, with
 * their parts. Values are written in the shortest form that reads back to the same float32,
 * so `latentsFromJSON(JSON.parse(JSON.stringify(latentsToJSON(x))))` is exact.
 * @param latents - latents or a batch (`[n, ...shape]`).
 * @returns one {@link LatentJson} per sample.
 * @throws {InvalidArgumentError} on NaN or infinite values (JSON cannot hold them).
 * @example
 * ```ts
 * await writeFileAtomic('codes.json', JSON.stringify(latentsToJSON(latents)));
 * ```
 */
export function latentsToJSON(latents: readonly Latent[] | LatentBatch): LatentJson[] {
  if (Array.isArray(latents)) {
    return (latents as readonly Latent[]).map((l) => {
      const out = latentJson(l.data, l.shape, l.modality, l.model);
      if (l.parts) {
        out.parts = {};
        for (const [name, p] of Object.entries(l.parts)) out.parts[name] = latentsToJSON([p])[0];
      }
      return out;
    });
  }
  const batch = latents as LatentBatch;
  const [n, ...shape] = batch.shape;
  const size = shapeSize(shape);
  if (batch.data.length !== n * size) {
    throw new ShapeMismatchError(`latentsToJSON: batch shape [${batch.shape.join(', ')}] needs ${n * size} values, data has ${batch.data.length}.`);
  }
  const parts = batch.parts ? Object.entries(batch.parts).map(([name, p]) => [name, latentsToJSON(p)] as const) : [];
  return Array.from({ length: n }, (_, i) => {
    const out = latentJson(batch.data.subarray(i * size, (i + 1) * size), shape, batch.modality, batch.model);
    if (batch.parts) {
      out.parts = {};
      for (const [name, list] of parts) out.parts[name] = list[i];
    }
    return out;
  });
}

/**
 * Reads latents written by {@link latentsToJSON} back, checking every field.
 * @param json - the parsed JSON (an array).
 * @param file - where it came from, for error messages.
 * @returns the latents.
 * @throws {DecodeError} when an entry is malformed or its data does not fit its shape.
 * @example
 * ```ts
 * const latents = latentsFromJSON(JSON.parse(await readFile('codes.json', 'utf8')), 'codes.json');
 * ```
 */
export function latentsFromJSON(json: unknown, file?: string): Latent[] {
  const opts = file ? { file } : {};
  const fail = (msg: string): never => {
    throw new DecodeError(`${file ? `${file}: ` : ''}latents JSON: ${msg}`, opts);
  };
  const one = (v: unknown, at: string): Latent => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${at} should be an object.`);
    const o = v as Partial<Record<keyof LatentJson, unknown>>;
    if (typeof o.modality !== 'string' || typeof o.model !== 'string') fail(`${at} needs string 'modality' and 'model'.`);
    if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0) || o.shape.length > MAX_RANK) {
      fail(`${at}.shape should be a list of non-negative integers.`);
    }
    const shape = o.shape as number[];
    if (!Array.isArray(o.data) || !o.data.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      fail(`${at}.data should be a list of finite numbers.`);
    }
    const data = o.data as number[];
    if (data.length !== shapeSize(shape)) fail(`${at}.data has ${data.length} values but shape [${shape.join(', ')}] needs ${shapeSize(shape)}.`);
    const latent: Latent = { data: Float32Array.from(data), shape: [...shape], modality: o.modality as string, model: o.model as string };
    if (o.parts !== undefined) {
      if (typeof o.parts !== 'object' || o.parts === null || Array.isArray(o.parts)) fail(`${at}.parts should be an object.`);
      latent.parts = {};
      for (const [name, p] of Object.entries(o.parts as Record<string, unknown>)) latent.parts[name] = one(p, `${at}.parts.${name}`);
    }
    return latent;
  };
  if (!Array.isArray(json)) return fail('expected an array of latents.');
  return json.map((v, i) => one(v, `[${i}]`));
}
