import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, InputTooLargeError, ShapeMismatchError, UnsupportedFormatError } from '../errors/errors.js';
import type { Latent } from '../latent/latent.js';
import { decodeNpy, encodeNpy, latentsFromJSON, latentsToJSON, npyToMatrix } from './npy.js';
import { readNpy, writeNpy } from './npy-file.js';

/**
 * Files written by NumPy 2.4 (`python -c "import numpy as np, io; b = io.BytesIO();
 * np.save(b, ARRAY); print(b.getvalue().hex())"`), with ARRAY as named.
 */
const NUMPY = {
  // np.arange(6, dtype='<f4').reshape(2, 3) / 4
  f4x2x3:
    '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000803e0000003f0000403f0000803f0000a03f',
  // np.array([1, -2, 3, 2147483647, -2147483648], dtype='<i4')
  i4x5:
    '934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028352c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01000000feffffff03000000ffffff7f00000080',
  // np.array([[0.1, 1e-30], [3.5, -2.25]], dtype='<f8')
  f8x2x2:
    '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a9a9999999999b93fa0c2ebfe4b48b4390000000000000c4000000000000002c0',
  // np.array([1.5, -2], dtype='>f4')
  beF4x2:
    '934e554d5059010076007b276465736372273a20273e6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3fc00000c0000000',
};

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** A v1.0 file with an arbitrary header dict text and payload (numpy-style padding). */
function handmade(dict: string, payload: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const pad = 64 - ((prefix + dict.length + 1) % 64);
  const header = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(prefix + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), prefix);
  out.set(payload, prefix + header.length);
  return out;
}

function errorOf(f: () => unknown): Error | undefined {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

describe('encodeNpy', () => {
  it('writes byte for byte what np.save writes', () => {
    const f4 = encodeNpy({ data: Float32Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]), shape: [2, 3] });
    expect(Buffer.from(f4).toString('hex')).toBe(NUMPY.f4x2x3);
    const i4 = encodeNpy({ data: Int32Array.from([1, -2, 3, 2147483647, -2147483648]), shape: [5] });
    expect(Buffer.from(i4).toString('hex')).toBe(NUMPY.i4x5);
  });

  it('writes the documented header and pads it to 64 bytes', () => {
    const bytes = encodeNpy({ data: new Float32Array(6), rows: 2, cols: 3 });
    const len = bytes[8] | (bytes[9] << 8);
    expect((10 + len) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + len)).toString('latin1');
    expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
    expect(header.endsWith(' \n')).toBe(true);
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    // Sizes np.save gives for zeros of these shapes (float32): 148 and 132 bytes.
    expect(encodeNpy({ data: new Float32Array(5), shape: [5] }).length).toBe(148);
    expect(encodeNpy({ data: new Float32Array(1), shape: [] }).length).toBe(132);
  });

  it('rejects data that does not fit the shape', () => {
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] })).toThrow(ShapeMismatchError);
    expect(() => encodeNpy({ data: new Float32Array(6), shape: [2, -3] })).toThrow(ShapeMismatchError);
  });
});

describe('decodeNpy', () => {
  it('reads files written by NumPy', () => {
    const f4 = decodeNpy(hex(NUMPY.f4x2x3));
    expect(f4.dtype).toBe('float32');
    expect(f4.shape).toEqual([2, 3]);
    expect(Array.from(f4.data)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    const i4 = decodeNpy(hex(NUMPY.i4x5));
    expect(i4.dtype).toBe('int32');
    expect(Array.from(i4.data)).toEqual([1, -2, 3, 2147483647, -2147483648]);
    const f8 = decodeNpy(hex(NUMPY.f8x2x2));
    expect(f8.dtype).toBe('float32');
    expect(Array.from(f8.data)).toEqual([Math.fround(0.1), Math.fround(1e-30), 3.5, -2.25]);
    const be = decodeNpy(hex(NUMPY.beF4x2));
    expect(Array.from(be.data)).toEqual([1.5, -2]);
    const m = npyToMatrix(f4);
    expect([m.rows, m.cols]).toEqual([2, 3]);
  });

  it('round-trips float32 and int32 arrays of any rank, at odd byte offsets', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e3);
    const bytes = encodeNpy({ data, shape: [2, 3, 4] });
    // Decoding from an unaligned view must still work (and copy).
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = decodeNpy(shifted.subarray(1));
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    const ints = decodeNpy(encodeNpy({ data: Int32Array.from([7]), shape: [] }));
    expect(ints.shape).toEqual([]);
    expect(Array.from(ints.data)).toEqual([7]);
    const empty = decodeNpy(encodeNpy({ data: new Float32Array(0), shape: [0, 5] }));
    expect(empty.shape).toEqual([0, 5]);
  });

  it('reads other integer widths, version 2.0 headers and Python 2 long shapes', () => {
    const u1 = decodeNpy(handmade("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.from([0, 128, 255])));
    expect(u1.dtype).toBe('int32');
    expect(Array.from(u1.data)).toEqual([0, 128, 255]);
    const i8 = new DataView(new ArrayBuffer(16));
    i8.setBigInt64(0, -5n, true);
    i8.setBigInt64(8, 1n << 40n, true);
    const err = errorOf(() => decodeNpy(handmade("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(i8.buffer))));
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    const v2 = decodeNpy(handmade('{"shape": (1L, 2L), "fortran_order": False, "descr": "<f4"}', new Uint8Array(8), 2));
    expect(v2.shape).toEqual([1, 2]);
  });

  it('fails with typed errors on malformed files', () => {
    const good = hex(NUMPY.f4x2x3);
    const cases: [string, Uint8Array, typeof DecodeError][] = [
      ['bad magic', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0]), DecodeError],
      ['too short', good.subarray(0, 5), DecodeError],
      ['version 9', Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)]), UnsupportedFormatError],
      ['truncated header', good.subarray(0, 60), DecodeError],
      ['truncated data', good.subarray(0, good.length - 1), DecodeError],
      ['trailing data', Uint8Array.from([...good, 0, 0, 0, 0]), DecodeError],
      ['fortran order', handmade("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)), UnsupportedFormatError],
      ['complex dtype', handmade("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), UnsupportedFormatError],
      ['structured dtype', handmade("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), UnsupportedFormatError],
      ['not a dict', handmade('descr <f4'), DecodeError],
      ['missing shape', handmade("{'descr': '<f4', 'fortran_order': False, }"), DecodeError],
      ['negative dim', handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), DecodeError],
      ['extra key', handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), 'x': 1, }"), DecodeError],
      ['huge shape', handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), InputTooLargeError as unknown as typeof DecodeError],
      ['shape/size mismatch', handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000), }", new Uint8Array(16)), DecodeError],
    ];
    for (const [name, bytes, cls] of cases) {
      const err = errorOf(() => decodeNpy(bytes, 'x.npy'));
      expect(err, name).toBeInstanceOf(cls);
      expect((err as DecodeError).file, name).toBe('x.npy');
      expect(err!.message, name).toContain('x.npy');
    }
  });
});

describe('writeNpy / readNpy', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latentkit-npy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through a file, and reports problems with the file name', async () => {
    const path = join(dir, 'codes.npy');
    const m = { data: Float32Array.from({ length: 12 }, (_, i) => i / 3), rows: 4, cols: 3 };
    await writeNpy(path, m);
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(encodeNpy(m)))).toBe(true);
    const back = await readNpy(path);
    expect(back.shape).toEqual([4, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
    await expect(readNpy(path, { maxBytes: 100 })).rejects.toBeInstanceOf(InputTooLargeError);
    const missing = join(dir, 'missing.npy');
    await expect(readNpy(missing)).rejects.toMatchObject({ code: 'LK_DECODE', file: missing });
    const bad = join(dir, 'bad.npy');
    await writeFile(bad, 'not numpy');
    await expect(readNpy(bad)).rejects.toMatchObject({ code: 'LK_DECODE', file: bad });
  });
});

describe('latentsToJSON / latentsFromJSON', () => {
  const latents: Latent[] = [
    {
      data: Float32Array.from([0.1, -2.5, 1 / 3]),
      shape: [3],
      modality: 'audio',
      model: 'audio/test',
      parts: { speaker: { data: Float32Array.from([1e-8]), shape: [1], modality: 'audio', model: 'audio/test' } },
    },
    { data: Float32Array.from([0, 7, 123456.789]), shape: [3], modality: 'audio', model: 'audio/test', parts: { speaker: { data: Float32Array.from([2]), shape: [1], modality: 'audio', model: 'audio/test' } } },
  ];

  it('writes compact numbers that read back exactly', () => {
    const json = latentsToJSON(latents);
    expect(json[0].data[0]).toBe(0.1);
    expect(json[0].data[1]).toBe(-2.5);
    const text = JSON.stringify(json);
    const back = latentsFromJSON(JSON.parse(text));
    expect(back).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect(Array.from(back[i].data)).toEqual(Array.from(latents[i].data));
      expect(Array.from(back[i].parts!.speaker.data)).toEqual(Array.from(latents[i].parts!.speaker.data));
    }
  });

  it('splits a batch into samples, parts included', () => {
    const json = latentsToJSON({
      data: Float32Array.from([1, 2, 3, 4]),
      shape: [2, 2],
      modality: 'image',
      model: 'image/test',
      parts: { a: { data: Float32Array.from([5, 6]), shape: [2, 1], modality: 'image', model: 'image/test' } },
    });
    expect(json.map((j) => j.data)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(json[1].parts!.a).toMatchObject({ shape: [1], data: [6] });
  });

  it('rejects malformed JSON with DecodeError', () => {
    expect(() => latentsFromJSON({}, 'codes.json')).toThrow(DecodeError);
    expect(() => latentsFromJSON([{ modality: 'x', model: 'y', shape: [2], data: [1] }])).toThrow(DecodeError);
    expect(() => latentsFromJSON([{ modality: 'x', model: 'y', shape: [1], data: ['1'] }])).toThrow(DecodeError);
    expect(() => latentsToJSON([{ data: Float32Array.from([NaN]), shape: [1], modality: 'x', model: 'y' }])).toThrow();
  });
});
