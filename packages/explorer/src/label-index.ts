/**
 * @file The compact label file the explorer serves beside a code set (`labels.bin`): the
 * distinct labels once, as a JSON string table, then one Uint16 (or Uint32, past 65,536
 * labels) index per row. At 1M rows it is ~2 MB against ~60 MB of CSV manifest, and it is
 * all the first picture needs (colours, legend, `label:` search); sources and sentences stay
 * in the CSV, which the page's worker fetches only when a hover, click or text search needs it.
 * Shared by the server (writes it) and the page (reads it): no Node or DOM here.
 */
import { DecodeError } from '@latentkit/core';

const MAGIC = [0x4c, 0x4b, 0x4c, 0x31]; // "LKL1"

/** Labels as a string table and one index per row (`''` is a label like any other). */
export interface LabelIndex {
  table: string[];
  index: Uint16Array | Uint32Array;
}

/**
 * Builds the string table and row indices of a label column.
 * @param labels - one label per row.
 */
export function indexLabels(labels: readonly string[]): LabelIndex {
  const slot = new Map<string, number>();
  const table: string[] = [];
  const idx = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let s = slot.get(labels[i]);
    if (s === undefined) {
      s = table.length;
      slot.set(labels[i], s);
      table.push(labels[i]);
    }
    idx[i] = s;
  }
  return { table, index: table.length <= 65536 ? Uint16Array.from(idx) : idx };
}

/**
 * Encodes a label index as `labels.bin`: "LKL1", uint32 row count, uint32 JSON length, the
 * JSON table, zero padding to 4 bytes, then the indices (width 2 or 4 by table size), little-endian.
 */
export function encodeLabelIndex(li: LabelIndex): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(li.table));
  const head = 12 + json.length;
  const start = Math.ceil(head / 4) * 4;
  const width = li.table.length <= 65536 ? 2 : 4;
  const out = new Uint8Array(start + li.index.length * width);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, li.index.length, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  for (let i = 0; i < li.index.length; i++) {
    if (width === 2) view.setUint16(start + 2 * i, li.index[i], true);
    else view.setUint32(start + 4 * i, li.index[i], true);
  }
  return out;
}

/**
 * Decodes `labels.bin`.
 * @param bytes - the file.
 * @param expectedRows - the code set's row count.
 * @param file - its name, for messages.
 * @throws {DecodeError} on a malformed file, a row count other than `expectedRows`, or an index past the table.
 */
export function decodeLabelIndex(bytes: Uint8Array, expectedRows: number, file = 'labels.bin'): LabelIndex {
  const bad = (why: string): DecodeError => new DecodeError(`${file}: ${why}`, { file });
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('not a latentkit label file (no LKL1 magic).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(4, true);
  const jsonLen = view.getUint32(8, true);
  if (n !== expectedRows) throw bad(`holds ${n} rows; the codes have ${expectedRows}.`);
  if (12 + jsonLen > bytes.length) throw bad('truncated inside its label table.');
  let table: unknown;
  try {
    table = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLen)));
  } catch {
    throw bad('its label table is not JSON.');
  }
  if (!Array.isArray(table) || !table.every((t) => typeof t === 'string')) throw bad('its label table is not a list of strings.');
  const start = Math.ceil((12 + jsonLen) / 4) * 4;
  const width = table.length <= 65536 ? 2 : 4;
  if (bytes.length !== start + n * width) throw bad(`expected ${start + n * width} bytes, found ${bytes.length}.`);
  const index = width === 2 ? new Uint16Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = width === 2 ? view.getUint16(start + 2 * i, true) : view.getUint32(start + 4 * i, true);
  for (let i = 0; i < n; i++) if (index[i] >= table.length) throw bad(`row ${i} names label ${index[i]} of ${table.length}.`);
  return { table: table as string[], index };
}
