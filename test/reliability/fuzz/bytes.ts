/**
 * @file Byte-level building blocks of the malformed-input corpus: a seeded picker over core's
 * `createRng`, generic mutations (bit flips, truncation, splices, field overwrites), and
 * writers/parsers for the containers the loaders read (RIFF/WAVE, PNG chunks, JPEG markers,
 * IDX), so structural mutations can keep every other byte valid.
 */
import { crc32, gzipSync } from 'node:zlib';
import { createRng } from '@latentkit/core';

/** A seeded random source with the few helpers the mutators need. */
export interface Rand {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T;
}

/** Deterministic {@link Rand} from core's mulberry32. */
export function rand(seed: number): Rand {
  const r = createRng(seed);
  return {
    next: r,
    int: (n) => Math.floor(r() * n),
    pick: (xs) => xs[Math.floor(r() * xs.length)],
  };
}

/** Values that break size arithmetic: zero, one, sign bits, all ones. */
export const INTERESTING_U32 = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;
/** The same for 16-bit fields. */
export const INTERESTING_U16 = [0, 1, 2, 3, 7, 8, 12, 24, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff] as const;
/** The same for single bytes. */
export const INTERESTING_U8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff] as const;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

export function u32be(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, false);
  return b;
}

/** A copy of `b` with `n` random bits flipped (restricted to `[from, to)` when given). */
export function flipBits(b: Uint8Array, n: number, r: Rand, from = 0, to = b.length): { bytes: Uint8Array; at: number[] } {
  const out = new Uint8Array(b);
  const at: number[] = [];
  const span = Math.max(1, Math.min(to, b.length) - from);
  for (let i = 0; i < n && b.length > 0; i++) {
    const pos = from + r.int(span);
    out[pos] ^= 1 << r.int(8);
    at.push(pos);
  }
  return { bytes: out, at };
}

/** A copy with one integer field overwritten (little- or big-endian). */
export function setField(b: Uint8Array, offset: number, bytes: 1 | 2 | 4, value: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(b);
  if (offset + bytes > out.length) return out;
  const v = new DataView(out.buffer);
  if (bytes === 1) v.setUint8(offset, value & 0xff);
  else if (bytes === 2) v.setUint16(offset, value & 0xffff, littleEndian);
  else v.setUint32(offset, value >>> 0, littleEndian);
  return out;
}

/** Generic random mutations shared by every file format; returns the bytes and a description. */
export function randomByteMutation(seed: Uint8Array, r: Rand, headerBytes: number): { bytes: Uint8Array; mutation: string } {
  const len = seed.length;
  switch (r.int(8)) {
    case 0: {
      const n = r.pick([1, 2, 4, 8, 32]);
      const { bytes, at } = flipBits(seed, n, r);
      return { bytes, mutation: `flip ${n} bit(s) at [${at.join(', ')}]` };
    }
    case 1: {
      const n = r.pick([1, 2, 3]);
      const { bytes, at } = flipBits(seed, n, r, 0, headerBytes);
      return { bytes, mutation: `flip ${n} header bit(s) at [${at.join(', ')}]` };
    }
    case 2: {
      const cut = r.int(len);
      return { bytes: seed.slice(0, cut), mutation: `truncate to ${cut} of ${len} bytes` };
    }
    case 3: {
      const at = r.int(Math.min(headerBytes, len));
      const v = r.pick(INTERESTING_U8);
      return { bytes: setField(seed, at, 1, v, true), mutation: `byte ${at} := 0x${v.toString(16)}` };
    }
    case 4: {
      const at = r.int(Math.max(1, Math.min(headerBytes, len) - 3));
      const v = r.pick(INTERESTING_U32);
      const le = r.next() < 0.5;
      return { bytes: setField(seed, at, 4, v, le), mutation: `u32${le ? 'le' : 'be'} at ${at} := 0x${v.toString(16)}` };
    }
    case 5: {
      const at = r.int(len + 1);
      const n = 1 + r.int(64);
      const junk = Uint8Array.from({ length: n }, () => r.int(256));
      return { bytes: concat(seed.subarray(0, at), junk, seed.subarray(at)), mutation: `insert ${n} random bytes at ${at}` };
    }
    case 6: {
      const at = r.int(len);
      const n = 1 + r.int(Math.min(64, len - at));
      return { bytes: concat(seed.subarray(0, at), seed.subarray(at + n)), mutation: `delete ${n} bytes at ${at}` };
    }
    default: {
      const at = r.int(len);
      const n = 1 + r.int(Math.min(256, len - at));
      return { bytes: concat(seed.subarray(0, at + n), seed.subarray(at, at + n), seed.subarray(at + n)), mutation: `duplicate ${n} bytes at ${at}` };
    }
  }
}

// ---------------------------------------------------------------------------- RIFF / WAVE

/** A RIFF chunk; `size` overrides the size field (to lie), `pad` false omits the odd-size pad byte. */
export function riffChunk(id: string, body: Uint8Array, options: { size?: number; pad?: boolean } = {}): Uint8Array {
  const pad = body.length % 2 === 1 && options.pad !== false ? new Uint8Array(1) : new Uint8Array(0);
  return concat(ascii(id), u32le(options.size ?? body.length), body, pad);
}

/** A whole RIFF file; `size` overrides the RIFF size field. */
export function riffFile(chunks: Uint8Array[], options: { magic?: string; form?: string; size?: number } = {}): Uint8Array {
  const body = concat(...chunks);
  return concat(ascii(options.magic ?? 'RIFF'), u32le(options.size ?? 4 + body.length), ascii(options.form ?? 'WAVE'), body);
}

/** Fields of a `fmt ` chunk; anything left out is derived from the rest. */
export interface FmtFields {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  byteRate?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this SubFormat code (the tag becomes 0xFFFE). */
  extensible?: number;
  /** Cut or extend the body to this many bytes. */
  bodyBytes?: number;
}

export function fmtBody(f: FmtFields = {}): Uint8Array {
  const channels = f.channels ?? 1;
  const rate = f.rate ?? 8000;
  const bits = f.bits ?? 16;
  const blockAlign = f.blockAlign ?? channels * Math.ceil(bits / 8);
  const ext = f.extensible !== undefined;
  const b = new Uint8Array(ext ? 40 : 16);
  const v = new DataView(b.buffer);
  v.setUint16(0, ext ? 0xfffe : (f.tag ?? 1), true);
  v.setUint16(2, channels & 0xffff, true);
  v.setUint32(4, rate >>> 0, true);
  v.setUint32(8, (f.byteRate ?? rate * blockAlign) >>> 0, true);
  v.setUint16(12, blockAlign & 0xffff, true);
  v.setUint16(14, bits & 0xffff, true);
  if (ext) {
    v.setUint16(16, 22, true); // cbSize
    v.setUint16(18, bits, true); // valid bits
    v.setUint32(20, channels === 1 ? 4 : 3, true); // channel mask
    v.setUint16(24, f.extensible!, true); // SubFormat GUID, first two bytes
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  if (f.bodyBytes === undefined) return b;
  const out = new Uint8Array(f.bodyBytes);
  out.set(b.subarray(0, Math.min(b.length, f.bodyBytes)));
  return out;
}

/** Sample bytes of a short sine in the given encoding (`bits` 8/16/24/32 PCM or 32/64 float). */
export function sineSamples(frames: number, channels: number, bits: number, float = false): Uint8Array {
  const per = Math.ceil(bits / 8);
  const out = new Uint8Array(frames * channels * per);
  const v = new DataView(out.buffer);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const x = 0.5 * Math.sin((2 * Math.PI * (i + 7 * c)) / 40);
      const o = (i * channels + c) * per;
      if (float && bits === 32) v.setFloat32(o, x, true);
      else if (float && bits === 64) v.setFloat64(o, x, true);
      else if (bits === 8) v.setUint8(o, Math.round(128 + 127 * x));
      else if (bits === 16) v.setInt16(o, Math.round(32767 * x), true);
      else if (bits === 24) {
        const s = Math.round(8388607 * x) & 0xffffff;
        out[o] = s & 0xff;
        out[o + 1] = (s >> 8) & 0xff;
        out[o + 2] = (s >> 16) & 0xff;
      } else if (bits === 32) v.setInt32(o, Math.round(2147483647 * x), true);
      else for (let k = 0; k < per; k++) out[o + k] = (i * 31 + c) & 0xff; // odd widths (12, 20, ...): any bytes
    }
  }
  return out;
}

/** A WAV file from parts: `fmt` fields and sample data; `order` lets a case reorder or drop chunks. */
export function wavFile(f: FmtFields, data: Uint8Array, extra: { before?: Uint8Array[]; after?: Uint8Array[] } = {}): Uint8Array {
  return riffFile([...(extra.before ?? []), riffChunk('fmt ', fmtBody(f)), riffChunk('data', data), ...(extra.after ?? [])]);
}

/** Offsets of the chunks of a RIFF file (`id`, header offset, declared size). */
export function riffChunks(b: Uint8Array): { id: string; offset: number; size: number }[] {
  const out: { id: string; offset: number; size: number }[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 12;
  while (pos + 8 <= b.length && out.length < 64) {
    const size = v.getUint32(pos + 4, true);
    out.push({ id: String.fromCharCode(...b.subarray(pos, pos + 4)), offset: pos, size });
    pos += 8 + size + (size & 1);
  }
  return out;
}

// ---------------------------------------------------------------------------- PNG

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk as found in a file. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
  crc: number;
}

/** Splits a PNG into chunks (stops at the first chunk that runs past the end). */
export function pngChunks(b: Uint8Array): PngChunk[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: PngChunk[] = [];
  let pos = 8;
  while (pos + 12 <= b.length) {
    const len = v.getUint32(pos, false);
    if (pos + 12 + len > b.length) break;
    out.push({ type: String.fromCharCode(...b.subarray(pos + 4, pos + 8)), data: b.slice(pos + 8, pos + 8 + len), crc: v.getUint32(pos + 8 + len, false) });
    pos += 12 + len;
  }
  return out;
}

/** Serialises chunks; the CRC is recomputed unless the chunk asks to keep its (stale) one. */
export function pngFile(chunks: (PngChunk & { keepCrc?: boolean; length?: number })[], signature = PNG_SIGNATURE): Uint8Array {
  return concat(
    signature,
    ...chunks.map((c) => {
      const typeAndData = concat(ascii(c.type), c.data);
      const crc = c.keepCrc ? c.crc : crc32(typeAndData);
      return concat(u32be(c.length ?? c.data.length), typeAndData, u32be(crc));
    }),
  );
}

/** An IHDR body. */
export function ihdr(width: number, height: number, bitDepth = 8, colorType = 0, compression = 0, filter = 0, interlace = 0): Uint8Array {
  return concat(u32be(width), u32be(height), Uint8Array.from([bitDepth, colorType, compression, filter, interlace]));
}

// ---------------------------------------------------------------------------- JPEG

/** Markers of a JPEG up to the start of scan: `[marker, offset of 0xFF, segment length]`. */
export function jpegSegments(b: Uint8Array): { marker: number; offset: number; length: number }[] {
  const out: { marker: number; offset: number; length: number }[] = [];
  let pos = 2;
  while (pos + 4 <= b.length && b[pos] === 0xff) {
    const marker = b[pos + 1];
    const length = (b[pos + 2] << 8) | b[pos + 3];
    out.push({ marker, offset: pos, length });
    if (marker === 0xda) break;
    pos += 2 + length;
  }
  return out;
}

// ---------------------------------------------------------------------------- IDX

/** An IDX file: type byte, dimensions, raw big-endian payload. */
export function idxFile(type: number, dims: number[], payload: Uint8Array, magic01: [number, number] = [0, 0]): Uint8Array {
  return concat(Uint8Array.from([magic01[0], magic01[1], type, dims.length]), ...dims.map(u32be), payload);
}

/** `n` big-endian values of `type` (0x08 uint8 ... 0x0E float64) with a deterministic pattern. */
export function idxPayload(type: number, n: number): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[type] ?? 1;
  const out = new Uint8Array(n * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (type === 0x08) v.setUint8(i, (i * 37) & 0xff);
    else if (type === 0x09) v.setInt8(i, ((i * 37) & 0xff) - 128);
    else if (type === 0x0b) v.setInt16(2 * i, i * 301 - 1000, false);
    else if (type === 0x0c) v.setInt32(4 * i, i * 70001 - 5, false);
    else if (type === 0x0d) v.setFloat32(4 * i, i / 7, false);
    else v.setFloat64(8 * i, i / 7, false);
  }
  return out;
}

/** A gzip stream of `n` concatenated members, each `memberBytes` zeros (a small file that inflates a lot). */
export function gzipMembers(memberBytes: number, n: number): Uint8Array {
  const member = gzipSync(new Uint8Array(memberBytes), { level: 9 });
  return concat(...Array.from({ length: n }, () => member));
}
