/**
 * @file Arrow tables for LanceDB: the store's schema and record batches built straight from
 * the codes' Float32Array (no per-row objects for a million rows).
 *
 * @lancedb/lancedb is CommonJS and checks `instanceof arrow.Table` against the CommonJS build
 * of apache-arrow; an ESM `import` would load the ESM build, whose classes fail that check
 * ("Table and inner RecordBatch schemas must be equivalent"). So arrow is required here,
 * from the same build LanceDB uses.
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

const arrow = createRequire(import.meta.url)('apache-arrow') as typeof Arrow;

/** Rows per record batch: bounds the temporary arrays of one batch's strings. */
const BATCH_ROWS = 65_536;

/** One stored row besides its vector, column by column. */
export interface RowColumns {
  source: readonly string[];
  label: readonly string[];
  /** `line` of each row (1-based line of a text file), or null when the row is a whole file. */
  line: readonly (number | null)[];
  /** The sentence of each row, or null. */
  text: readonly (string | null)[];
}

const encoder = new TextEncoder();

/**
 * A Utf8 column built directly (offsets + bytes + validity): `vectorFromArray` may split a long
 * column into several chunks, and a record batch takes one.
 */
function utf8Data(xs: readonly (string | null)[]): Arrow.Data<Arrow.Utf8> {
  const n = xs.length;
  const offsets = new Int32Array(n + 1);
  const parts: Uint8Array[] = [];
  const validity = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (x === null) nulls++;
    else {
      validity[i >> 3] |= 1 << (i & 7);
      const b = encoder.encode(x);
      parts.push(b);
      size += b.length;
    }
    offsets[i + 1] = size;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const b of parts) {
    bytes.set(b, at);
    at += b.length;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: n, nullCount: nulls, nullBitmap: nulls ? validity : null, valueOffsets: offsets, data: bytes });
}

/** An Int32 column with nulls. */
function int32Data(xs: readonly (number | null)[]): Arrow.Data<Arrow.Int32> {
  const n = xs.length;
  const values = new Int32Array(n);
  const validity = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (x === null) nulls++;
    else {
      values[i] = x;
      validity[i >> 3] |= 1 << (i & 7);
    }
  }
  return arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: nulls, nullBitmap: nulls ? validity : null, data: values });
}

/** The column of unit-length copies of the codes that cosine spaces are searched on. */
export const UNIT_COLUMN = 'unit';

/**
 * The schema of one modality's table: `id` (position in the store, from 0), the code as a
 * fixed-size list of float32, optionally its unit-length copy ({@link UNIT_COLUMN}), where it
 * came from, and the model that made it.
 * Every field is nullable because LanceDB's schema sanitiser rebuilds fields as nullable and
 * then refuses a batch whose schema differs.
 */
export function codesSchema(dim: number, unit: boolean): Arrow.Schema {
  const f = (name: string, type: Arrow.DataType) => new arrow.Field(name, type, true);
  const vec = () => new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true));
  return new arrow.Schema([
    f('id', new arrow.Int64()),
    f('vector', vec()),
    ...(unit ? [f(UNIT_COLUMN, vec())] : []),
    f('source', new arrow.Utf8()),
    f('line', new arrow.Int32()),
    f('label', new arrow.Utf8()),
    f('text', new arrow.Utf8()),
    f('model_id', new arrow.Utf8()),
  ]);
}

/**
 * Row-major unit-length copies of `rows x dim` codes (a zero code stays zero: it has no direction).
 * Float64 sums, so the copy's length is 1 to float32 precision.
 */
export function unitRows(data: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) n += data[j] * data[j];
    if (n === 0) continue;
    const inv = 1 / Math.sqrt(n);
    for (let j = i * dim; j < (i + 1) * dim; j++) out[j] = data[j] * inv;
  }
  return out;
}

/**
 * An Arrow table of `rows` codes starting at id `firstId`.
 * @param data row-major `rows x dim` values.
 * @param columns the rows' manifest columns, `rows` long each.
 * @param unit whether to add the {@link UNIT_COLUMN} (cosine spaces).
 */
export function codesTable(data: Float32Array, rows: number, dim: number, firstId: number, columns: RowColumns, modelId: string, unit: boolean): Arrow.Table {
  const schema = codesSchema(dim, unit);
  const units = unit ? unitRows(data, rows, dim) : undefined;
  const listType = schema.fields[1].type as Arrow.FixedSizeList<Arrow.Float32>;
  const list = (xs: Float32Array, s: number, n: number) =>
    arrow.makeData({ type: listType, length: n, nullCount: 0, child: arrow.makeData({ type: new arrow.Float32(), length: n * dim, data: xs.subarray(s * dim, (s + n) * dim) }) });
  const batches: Arrow.RecordBatch[] = [];
  for (let s = 0; s < rows; s += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - s);
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(firstId + s + i);
    const str = (xs: readonly (string | null)[]) => utf8Data(xs.slice(s, s + n));
    const children = [
      arrow.makeData({ type: new arrow.Int64(), length: n, data: ids }),
      list(data, s, n),
      ...(units ? [list(units, s, n)] : []),
      str(columns.source),
      int32Data(columns.line.slice(s, s + n)),
      str(columns.label),
      str(columns.text),
      utf8Data(new Array<string>(n).fill(modelId)),
    ];
    batches.push(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children })));
  }
  return new arrow.Table(schema, batches);
}
