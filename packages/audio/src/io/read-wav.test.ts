import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, EmptyInputError, InputTooLargeError, LatentkitError, UnsupportedFormatError, createRng } from '@latentkit/core';
import { decodeWav, readWav } from './read-wav.js';
import { parseWavHeader } from './wav-header.js';
import { encodeWav16 } from './write-wav.js';

interface Chunk {
  id: string;
  body: Uint8Array;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** A fmt chunk body (16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE with `subFormat`). */
function fmtBody(o: { tag: number; channels: number; rate: number; bits: number; blockAlign?: number; subFormat?: number }): Uint8Array {
  const ext = o.subFormat !== undefined;
  const b = new Uint8Array(ext ? 40 : 16);
  const v = new DataView(b.buffer);
  const align = o.blockAlign ?? (o.channels * o.bits) / 8;
  v.setUint16(0, o.tag, true);
  v.setUint16(2, o.channels, true);
  v.setUint32(4, o.rate, true);
  v.setUint32(8, o.rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, o.bits, true);
  if (ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, o.bits, true);
    v.setUint32(20, o.channels === 2 ? 3 : 4, true);
    v.setUint16(24, o.subFormat!, true);
    b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return b;
}

/** Assembles RIFF/WAVE bytes from chunks (with pad bytes after odd sizes), optionally lying about sizes. */
function riff(chunks: Chunk[], opts: { riffSize?: number; sizeOverride?: Record<string, number> } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    head.set(ascii(c.id), 0);
    new DataView(head.buffer).setUint32(4, opts.sizeOverride?.[c.id] ?? c.body.length, true);
    parts.push(head, c.body);
    if (c.body.length & 1) parts.push(new Uint8Array(1));
  }
  const bodyLen = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(12 + bodyLen);
  out.set(ascii('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, opts.riffSize ?? 4 + bodyLen, true);
  out.set(ascii('WAVE'), 8);
  let p = 12;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

function wav(o: { tag?: number; channels?: number; rate?: number; bits: number; data: Uint8Array; subFormat?: number }): Uint8Array {
  return riff([
    { id: 'fmt ', body: fmtBody({ tag: o.tag ?? 1, channels: o.channels ?? 1, rate: o.rate ?? 8000, bits: o.bits, subFormat: o.subFormat }) },
    { id: 'data', body: o.data },
  ]);
}

function int16Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt16(2 * i, x, true));
  return b;
}

async function expectError(p: Promise<unknown> | (() => unknown), cls: abstract new (...a: never[]) => Error, ...fragments: string[]) {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${cls.name}`).toBeInstanceOf(cls);
  for (const f of fragments) expect((err as Error).message).toContain(f);
  return err as LatentkitError;
}

describe('readWav: sample formats', () => {
  it('round-trips 16-bit PCM sample-exactly (bytes and values)', () => {
    const rng = createRng(7);
    const samples = Float32Array.from({ length: 4000 }, () => 2 * rng() - 1);
    samples[0] = -1;
    samples[1] = 1;
    samples[2] = 0;
    const bytes = encodeWav16({ samples, sampleRate: 16000 });
    const clip = decodeWav(bytes);
    expect(clip.sampleRate).toBe(16000);
    expect(clip.samples.length).toBe(samples.length);
    // Every decoded value is exactly the quantised integer over the scale...
    const view = new DataView(bytes.buffer, 44);
    for (let i = 0; i < samples.length; i++) {
      const q = view.getInt16(2 * i, true);
      expect(clip.samples[i]).toBe(Math.fround(q < 0 ? q / 32768 : q / 32767));
    }
    expect(clip.samples[0]).toBe(-1);
    expect(clip.samples[1]).toBe(1);
    // ...and re-encoding reproduces the file byte for byte.
    expect(encodeWav16(clip)).toEqual(bytes);
    // Quantisation error is at most half a step.
    let maxErr = 0;
    for (let i = 0; i < samples.length; i++) maxErr = Math.max(maxErr, Math.abs(clip.samples[i] - samples[i]));
    expect(maxErr).toBeLessThanOrEqual(0.5 / 32767 + 1e-7);
  });

  it('decodes 8-bit unsigned PCM', () => {
    const clip = decodeWav(wav({ bits: 8, data: Uint8Array.from([0, 64, 128, 192, 255]) }));
    expect(Array.from(clip.samples)).toEqual([-1, -0.5, 0, 64 / 127, 1].map(Math.fround));
  });

  it('decodes 24-bit PCM including the most negative value', () => {
    const vals = [-8388608, -4194304, 0, 4194304, 8388607, -1];
    const data = new Uint8Array(vals.length * 3);
    vals.forEach((x, i) => {
      const u = x < 0 ? x + 0x1000000 : x;
      data[3 * i] = u & 0xff;
      data[3 * i + 1] = (u >> 8) & 0xff;
      data[3 * i + 2] = (u >> 16) & 0xff;
    });
    const clip = decodeWav(wav({ bits: 24, data }));
    expect(Array.from(clip.samples)).toEqual([-1, -0.5, 0, 4194304 / 8388607, 1, -1 / 8388608].map(Math.fround));
  });

  it('decodes 32-bit PCM', () => {
    const data = new Uint8Array(16);
    const v = new DataView(data.buffer);
    [-2147483648, -1073741824, 1073741824, 2147483647].forEach((x, i) => v.setInt32(4 * i, x, true));
    const clip = decodeWav(wav({ bits: 32, data }));
    expect(Array.from(clip.samples)).toEqual([-1, -0.5, 1073741824 / 2147483647, 1].map(Math.fround));
  });

  it('decodes 32-bit and 64-bit float, plain and WAVE_FORMAT_EXTENSIBLE', () => {
    const vals = [0.25, -0.75, 1.5, -1];
    const f32 = new Uint8Array(new Float32Array(vals).buffer);
    const f64 = new Uint8Array(new Float64Array(vals).buffer);
    expect(Array.from(decodeWav(wav({ tag: 3, bits: 32, data: f32 })).samples)).toEqual(vals);
    expect(Array.from(decodeWav(wav({ tag: 3, bits: 64, data: f64 })).samples)).toEqual(vals);
    expect(Array.from(decodeWav(wav({ tag: 0xfffe, subFormat: 3, bits: 32, data: f32 })).samples)).toEqual(vals);
    const pcm = decodeWav(wav({ tag: 0xfffe, subFormat: 1, bits: 16, data: int16Bytes([16384, -16384]) }));
    expect(Array.from(pcm.samples)).toEqual([Math.fround(16384 / 32767), -0.5]);
  });

  it('mixes stereo (and more channels) to mono by averaging', () => {
    // Interleaved L/R: (16384, -16384) -> 0 ; (-32768, -16384) -> -0.75.
    const stereo = decodeWav(wav({ channels: 2, bits: 16, data: int16Bytes([16384, -16384, -32768, -16384]) }));
    expect(stereo.samples.length).toBe(2);
    expect(stereo.samples[0]).toBeCloseTo((16384 / 32767 - 0.5) / 2, 7);
    expect(stereo.samples[1]).toBeCloseTo(-0.75, 7);
    const quad = decodeWav(wav({ channels: 4, bits: 16, data: int16Bytes([-32768, -32768, 0, 0]) }));
    expect(Array.from(quad.samples)).toEqual([-0.5]);
  });

  it('accepts odd chunk orders, unknown chunks with pad bytes, and trailing junk', () => {
    const fmt = { id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 22050, bits: 16 }) };
    const data = { id: 'data', body: int16Bytes([100, -200, 300]) };
    const list = { id: 'LIST', body: ascii('INFOISF') }; // 7 bytes: a pad byte follows
    const odd = { id: 'data', body: new Uint8Array([0x10, 0x00, 0x20]) }; // 3 bytes: one frame + a partial one
    const a = decodeWav(riff([list, data, fmt]));
    expect(a.sampleRate).toBe(22050);
    expect(Array.from(a.samples)).toEqual([100 / 32767, -200 / 32768, 300 / 32767].map(Math.fround));
    const b = decodeWav(riff([fmt, odd, list]));
    expect(Array.from(b.samples)).toEqual([Math.fround(16 / 32767)]);
    const junk = new Uint8Array([...riff([fmt, data]), 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05]);
    expect(decodeWav(junk).samples.length).toBe(3);
  });

  it('clamps a data chunk (and RIFF size) that claims more than the file holds', () => {
    const bytes = riff(
      [
        { id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 16 }) },
        { id: 'data', body: int16Bytes([1, 2, 3, 4]) },
      ],
      { riffSize: 0xffffffff, sizeOverride: { data: 0xffffffff } },
    );
    const info = parseWavHeader(bytes, 'streamed.wav');
    expect(info.truncated).toBe(true);
    expect(info.frames).toBe(4);
    // A file cut mid-sample keeps the whole frames only.
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(decodeWav(cut).samples.length).toBe(3);
  });

  it('resamples and trims on request', () => {
    const n = 8000;
    const samples = new Float32Array(3 * n); // 1 s silence, 1 s tone, 1 s silence at 8 kHz
    for (let i = n; i < 2 * n; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 8000);
    const bytes = encodeWav16({ samples, sampleRate: 8000 });
    const up = decodeWav(bytes, { sampleRate: 16000 });
    expect(up.sampleRate).toBe(16000);
    expect(up.samples.length).toBe(2 * samples.length);
    const trimmed = decodeWav(bytes, { trimSilence: { padMs: 0 } });
    expect(trimmed.samples.length).toBeGreaterThan(n - 200);
    expect(trimmed.samples.length).toBeLessThan(n + 200);
    const both = decodeWav(bytes, { trimSilence: true, sampleRate: 16000 });
    expect(both.sampleRate).toBe(16000);
    expect(both.samples.length).toBeGreaterThan(2 * n);
    expect(both.samples.length).toBeLessThan(2 * n + 2 * 0.1 * 16000);
  });
});

describe('readWav: bad input gives typed errors naming the file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latentkit-wav-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const good = () => encodeWav16({ samples: new Float32Array(100).fill(0.1), sampleRate: 8000 });

  it('zero-length file -> EmptyInputError', async () => {
    const path = join(dir, 'empty.wav');
    await writeFile(path, new Uint8Array(0));
    const err = await expectError(readWav(path), EmptyInputError, path, 'empty');
    expect(err.file).toBe(path);
    expect(err.code).toBe('LK_EMPTY_INPUT');
    await expectError(() => decodeWav(new Uint8Array(0)), EmptyInputError, '<buffer>');
  });

  it('non-WAV file -> DecodeError', async () => {
    const path = join(dir, 'photo.wav');
    await writeFile(path, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]));
    const err = await expectError(readWav(path), DecodeError, path, 'not a WAV file', 'PNG');
    expect(err).not.toBeInstanceOf(UnsupportedFormatError);
    await expectError(() => decodeWav(new TextEncoder().encode('hello, this is text not audio')), DecodeError, '<buffer>', 'RIFF');
    await expectError(() => decodeWav(ascii('RIFF\x04\x00\x00\x00AVI LIST')), DecodeError, 'WAVE');
  });

  it('truncated files -> DecodeError (header cut) or clamped (data cut)', async () => {
    const bytes = good();
    const path = join(dir, 'cut.wav');
    await writeFile(path, bytes.subarray(0, 30)); // inside the fmt chunk
    await expectError(readWav(path), DecodeError, path, 'truncated');
    await expectError(() => decodeWav(bytes.subarray(0, 8)), DecodeError, 'too short');
    await expectError(() => decodeWav(bytes.subarray(0, 36)), DecodeError, 'no "data" chunk');
    await expectError(() => decodeWav(bytes.subarray(0, 44)), EmptyInputError, 'no audio');
    expect(decodeWav(bytes.subarray(0, 44 + 50)).samples.length).toBe(25);
  });

  it('unsupported encodings -> UnsupportedFormatError naming the encoding', async () => {
    const cases: [number, number, string][] = [
      [0x0007, 8, 'mu-law'],
      [0x0006, 8, 'A-law'],
      [0x0002, 4, 'ADPCM'],
      [0x0011, 4, 'IMA ADPCM'],
      [0x0055, 16, 'MP3'],
      [0x1234, 16, '0x1234'],
    ];
    for (const [tag, bits, label] of cases) {
      const bytes = riff([
        { id: 'fmt ', body: fmtBody({ tag, channels: 1, rate: 8000, bits, blockAlign: 1 }) },
        { id: 'data', body: new Uint8Array(64) },
      ]);
      const path = join(dir, `enc-${tag}.wav`);
      await writeFile(path, bytes);
      const err = await expectError(readWav(path), UnsupportedFormatError, path, label);
      expect(err.code).toBe('LK_UNSUPPORTED_FORMAT');
    }
    const twelve = riff([
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 12, blockAlign: 2 }) },
      { id: 'data', body: new Uint8Array(64) },
    ]);
    await expectError(() => decodeWav(twelve), UnsupportedFormatError, '<buffer>', '12-bit');
    await expectError(() => decodeWav(wav({ tag: 3, bits: 16, data: new Uint8Array(8) })), UnsupportedFormatError, '16-bit float');
    const rifx = good();
    rifx.set(ascii('RIFX'), 0);
    await expectError(() => decodeWav(rifx), UnsupportedFormatError, 'RIFX');
  });

  it('insane fmt fields, missing fmt, non-finite floats and lying sizes -> DecodeError', () => {
    const data = { id: 'data', body: new Uint8Array(16) };
    const fmtWith = (o: Partial<{ channels: number; rate: number; blockAlign: number }>) => ({
      id: 'fmt ',
      body: fmtBody({ tag: 1, channels: o.channels ?? 1, rate: o.rate ?? 8000, bits: 16, blockAlign: o.blockAlign }),
    });
    expect(() => decodeWav(riff([fmtWith({ channels: 0, blockAlign: 2 }), data]))).toThrow(/0 channels/);
    expect(() => decodeWav(riff([fmtWith({ rate: 0 }), data]))).toThrow(/sample rate 0/);
    expect(() => decodeWav(riff([fmtWith({ blockAlign: 0 }), data]))).toThrow(/block align 0/);
    expect(() => decodeWav(riff([data]))).toThrow(DecodeError);
    expect(() => decodeWav(riff([data]))).toThrow(/no "fmt " chunk/);
    const shortFmt = riff([{ id: 'fmt ', body: new Uint8Array(12) }, data]);
    expect(() => decodeWav(shortFmt)).toThrow(/at least 16/);
    const lyingFmt = riff([fmtWith({}), data], { sizeOverride: { 'fmt ': 0x7fffffff } });
    expect(() => decodeWav(lyingFmt)).toThrow(/claims 2147483647 bytes/);
    const nan = wav({ tag: 3, bits: 32, data: new Uint8Array(new Float32Array([0, NaN]).buffer) });
    expect(() => decodeWav(nan)).toThrow(/non-finite/);
  });

  it('refuses long files from the header alone (InputTooLargeError)', () => {
    const bytes = encodeWav16({ samples: new Float32Array(16000), sampleRate: 8000 }); // 2 s
    expect(() => decodeWav(bytes, { maxSeconds: 1 })).toThrow(InputTooLargeError);
    expect(decodeWav(bytes, { maxSeconds: 2 }).samples.length).toBe(16000);
  });

  it('a missing path -> DecodeError naming it', async () => {
    const path = join(dir, 'nope.wav');
    await expectError(readWav(path), DecodeError, path, 'ENOENT');
    await expectError(readWav(dir), DecodeError, dir, 'not a regular file');
  });

  it('never throws anything but a LatentkitError on corrupted bytes (fuzz)', () => {
    const rng = createRng(1234);
    const base = riff([
      { id: 'fmt ', body: fmtBody({ tag: 1, channels: 2, rate: 8000, bits: 16 }) },
      { id: 'LIST', body: new Uint8Array(9) },
      { id: 'data', body: new Uint8Array(200).map(() => Math.floor(rng() * 256)) },
    ]);
    let decoded = 0;
    for (let trial = 0; trial < 600; trial++) {
      const b = base.slice(0, trial % 3 === 0 ? Math.floor(rng() * base.length) : base.length);
      const flips = 1 + Math.floor(rng() * 4);
      for (let f = 0; f < flips && b.length > 0; f++) b[Math.floor(rng() * Math.min(b.length, 80))] = Math.floor(rng() * 256);
      try {
        const clip = decodeWav(b, {}, `fuzz-${trial}`);
        expect(clip.samples.length).toBeLessThanOrEqual(base.length);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(LatentkitError);
        expect((e as Error).message).toContain(`fuzz-${trial}`);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('absurd sample rates', () => {
  it('refuses a header claiming 1 Hz quickly instead of resampling for minutes', async () => {
    const bytes = encodeWav16({ samples: new Float32Array(400).fill(0.1), sampleRate: 8000 });
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(24, 1, true);
    const t0 = performance.now();
    await expect(readWav(bytes, { sampleRate: 16000 })).rejects.toBeInstanceOf(UnsupportedFormatError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
