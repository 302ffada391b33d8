/**
 * @file The image part of the malformed-input corpus: PNG/JPEG/WebP/GIF/TIFF seeds from the
 * real writers, hand-picked structural mutations (chunks, dimensions, compression) and seeded
 * random ones. corpus.ts assembles them with the other formats.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import * as image from '@latentkit/image';
import { ascii, concat, ihdr, jpegSegments, pngChunks, pngFile, PNG_SIGNATURE, randomByteMutation, setField, sineSamples, u32be, wavFile, type PngChunk, type Rand } from './bytes.js';
import { u8, type Case, type PathKind } from './corpus.js';

export async function imageSeeds(): Promise<Map<string, { bytes: Uint8Array; ext: string }>> {
  const gray = { data: Float32Array.from({ length: 16 * 16 }, (_, i) => ((i * 7) % 16) / 15), width: 16, height: 16, channels: 1 as const };
  const rgb = { data: Float32Array.from({ length: 16 * 12 * 3 }, (_, i) => ((i * 13) % 17) / 16), width: 16, height: 12, channels: 3 as const };
  const raw = Buffer.from(Uint8Array.from({ length: 16 * 12 * 3 }, (_, i) => (i * 13) & 0xff));
  const rgba = Buffer.from(Uint8Array.from({ length: 8 * 8 * 4 }, (_, i) => (i * 29) & 0xff));
  const s = () => sharp(raw, { raw: { width: 16, height: 12, channels: 3 } });
  const seeds = new Map<string, { bytes: Uint8Array; ext: string }>();
  seeds.set('png-gray (encodePng)', { bytes: u8(await image.encodePng(gray)), ext: '.png' });
  seeds.set('png-rgb (encodePng)', { bytes: u8(await image.encodePng(rgb)), ext: '.png' });
  seeds.set('png-rgba', { bytes: u8(await sharp(rgba, { raw: { width: 8, height: 8, channels: 4 } }).png().toBuffer()), ext: '.png' });
  seeds.set('png-palette', { bytes: u8(await s().png({ palette: true, colours: 8 }).toBuffer()), ext: '.png' });
  seeds.set('png-interlaced', { bytes: u8(await s().png({ progressive: true }).toBuffer()), ext: '.png' });
  seeds.set('png-16bit', { bytes: u8(await s().toColourspace('rgb16').png().toBuffer()), ext: '.png' });
  seeds.set('jpeg-baseline', { bytes: u8(await s().jpeg({ quality: 80 }).toBuffer()), ext: '.jpg' });
  seeds.set('jpeg-progressive', { bytes: u8(await s().jpeg({ progressive: true }).toBuffer()), ext: '.jpg' });
  seeds.set('jpeg-exif-rotated', { bytes: u8(await s().jpeg().withMetadata({ orientation: 6 }).toBuffer()), ext: '.jpg' });
  seeds.set('webp', { bytes: u8(await s().webp({ quality: 80 }).toBuffer()), ext: '.webp' });
  seeds.set('gif', { bytes: u8(await s().gif().toBuffer()), ext: '.gif' });
  seeds.set('tiff', { bytes: u8(await s().tiff().toBuffer()), ext: '.tif' });
  return seeds;
}

function pngWith(seed: Uint8Array, edit: (chunks: (PngChunk & { keepCrc?: boolean; length?: number })[]) => (PngChunk & { keepCrc?: boolean; length?: number })[]): Uint8Array {
  return pngFile(edit(pngChunks(seed).map((c) => ({ ...c, keepCrc: true }))));
}

export function imageCases(seeds: Map<string, { bytes: Uint8Array; ext: string }>): Case[] {
  const png = seeds.get('png-gray (encodePng)')!.bytes;
  const jpg = seeds.get('jpeg-baseline')!.bytes;
  const cases: Case[] = [];
  const add = (mutation: string, bytes: Uint8Array, name = 'x.png', path?: PathKind) => cases.push({ mutation, bytes, name, path });
  for (const [name, s] of seeds) add(`identity: ${name}`, s.bytes, `seed${s.ext}`);
  add('zero-length buffer', new Uint8Array(0));
  add('zero-length file', new Uint8Array(0), 'empty.png', 'file');
  add('text renamed .png', new TextEncoder().encode('hello, I am a text file\n'), 'notes.png', 'file');
  add('HTML renamed .png', new TextEncoder().encode('<!doctype html><html><body>404</body></html>'), 'page.png', 'file');
  add('WAV renamed .png', wavFile({}, sineSamples(100, 1, 16)), 'sound.png', 'file');
  add('JPEG named .png', jpg, 'photo.png', 'file');
  add('SVG named .png', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'), 'v.png', 'file');
  add('SVG claiming 100000x100000', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>'), 'big.svg');
  add('PNG signature only', PNG_SIGNATURE);
  for (const n of [1, 7, 16, 33, 41, png.length >> 1, png.length - 12, png.length - 1]) add(`PNG cut to ${n} of ${png.length} bytes`, png.slice(0, n));
  add('PNG without IEND', pngWith(png, (c) => c.filter((x) => x.type !== 'IEND')));
  add('PNG without IDAT', pngWith(png, (c) => c.filter((x) => x.type !== 'IDAT')));
  add('PNG IDAT before IHDR', pngWith(png, (c) => [c.find((x) => x.type === 'IDAT')!, ...c.filter((x) => x.type !== 'IDAT')]));
  add('PNG two IHDRs', pngWith(png, (c) => [c[0], { ...c[0], data: ihdr(99, 99), keepCrc: false }, ...c.slice(1)]));
  add('PNG bad CRC on IHDR', pngWith(png, (c) => c.map((x) => (x.type === 'IHDR' ? { ...x, crc: x.crc ^ 1 } : x))));
  add('PNG bad CRC on IDAT', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, crc: x.crc ^ 0x80000000 } : x))));
  add('PNG bad CRC on IEND', pngWith(png, (c) => c.map((x) => (x.type === 'IEND' ? { ...x, crc: 0 } : x))));
  const dims: [number, number][] = [[0, 16], [16, 0], [0x7fffffff, 1], [0xffffffff, 0xffffffff], [100_000, 100_000], [7072, 7072], [1, 50_000_001], [65535, 65535], [17, 16], [16, 1]];
  for (const [w, h] of dims) add(`PNG IHDR claims ${w}x${h} (CRC fixed)`, pngWith(png, (c) => c.map((x) => (x.type === 'IHDR' ? { ...x, data: ihdr(w, h), keepCrc: false } : x))));
  const hdr = (b: number, ct: number, comp = 0, filt = 0, il = 0) => (c: (PngChunk & { keepCrc?: boolean })[]) => c.map((x) => (x.type === 'IHDR' ? { ...x, data: ihdr(16, 16, b, ct, comp, filt, il), keepCrc: false } : x));
  add('PNG bit depth 3', pngWith(png, hdr(3, 0)));
  add('PNG bit depth 16 on 8-bit data', pngWith(png, hdr(16, 0)));
  add('PNG color type 5', pngWith(png, hdr(8, 5)));
  add('PNG palette color type without PLTE', pngWith(png, hdr(8, 3)));
  add('PNG RGBA color type on gray data', pngWith(png, hdr(8, 6)));
  add('PNG interlace method 2', pngWith(png, hdr(8, 0, 0, 0, 2)));
  add('PNG compression method 1', pngWith(png, hdr(8, 0, 1)));
  add('PNG filter method 1', pngWith(png, hdr(8, 0, 0, 1)));
  add('PNG IHDR of 5 bytes', pngWith(png, (c) => c.map((x) => (x.type === 'IHDR' ? { ...x, data: x.data.slice(0, 5), keepCrc: false } : x))));
  add('PNG chunk length 0x7FFFFFFF', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, length: 0x7fffffff } : x))));
  add('PNG chunk length past the end', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, length: x.data.length + 1000 } : x))));
  add('PNG unknown critical chunk', pngWith(png, (c) => [c[0], { type: 'ABCD', data: new Uint8Array(4), crc: 0 }, ...c.slice(1)]));
  add('PNG unknown ancillary chunk', pngWith(png, (c) => [c[0], { type: 'abCD', data: new Uint8Array(4), crc: 0 }, ...c.slice(1)]));
  add('PNG IDAT not zlib (CRC fixed)', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, data: Uint8Array.from({ length: x.data.length }, (_, i) => (i * 97) & 0xff), keepCrc: false } : x))));
  add('PNG IDAT zlib of too much data (CRC fixed)', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, data: zlibOf(1_000_000), keepCrc: false } : x))));
  add('PNG IDAT zlib bomb: 16x16 header, 32 MiB of rows', pngWith(png, (c) => c.map((x) => (x.type === 'IDAT' ? { ...x, data: zlibOf(32 * 1024 * 1024), keepCrc: false } : x))));
  add('PNG 2000x2000 header, IDAT of one row', pngWith(png, (c) => c.map((x) => (x.type === 'IHDR' ? { ...x, data: ihdr(2000, 2000), keepCrc: false } : x.type === 'IDAT' ? { ...x, data: zlibOf(2001), keepCrc: false } : x))));
  add('PNG 5000 tEXt chunks', pngWith(png, (c) => [c[0], ...Array.from({ length: 5000 }, (_, i) => ({ type: 'tEXt', data: ascii(`k\x00v${i}`), crc: 0 })), ...c.slice(1)]));
  add('PNG iCCP of garbage', pngWith(png, (c) => [c[0], { type: 'iCCP', data: concat(ascii('icc\x00\x00'), zlibRaw(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff))), crc: 0 }, ...c.slice(1)]));
  // JPEG markers.
  const segs = jpegSegments(jpg);
  const sof = segs.find((s) => s.marker === 0xc0)!;
  const sos = segs.find((s) => s.marker === 0xda)!;
  const dht = segs.find((s) => s.marker === 0xc4)!;
  const dqt = segs.find((s) => s.marker === 0xdb)!;
  const setU16 = (b: Uint8Array, at: number, v: number) => setField(b, at, 2, v, false);
  for (const [w, h] of [[0, 0], [65535, 65535], [1, 65535], [16, 0]] as const) add(`JPEG SOF claims ${w}x${h}`, setU16(setU16(jpg, sof.offset + 5, h), sof.offset + 7, w), 'x.jpg');
  add('JPEG SOF 0 components', setField(jpg, sof.offset + 9, 1, 0, false), 'x.jpg');
  add('JPEG SOF 255 components', setField(jpg, sof.offset + 9, 1, 255, false), 'x.jpg');
  add('JPEG SOF 12-bit precision', setField(jpg, sof.offset + 4, 1, 12, false), 'x.jpg');
  add('JPEG SOF 3-bit precision', setField(jpg, sof.offset + 4, 1, 3, false), 'x.jpg');
  add('JPEG SOF sampling factor 0', setField(jpg, sof.offset + 11, 1, 0, false), 'x.jpg');
  add('JPEG SOF0 marked SOF3 (lossless)', setField(jpg, sof.offset + 1, 1, 0xc3, false), 'x.jpg');
  add('JPEG SOF segment length 0', setU16(jpg, sof.offset + 2, 0), 'x.jpg');
  add('JPEG DHT length 0xFFFF', setU16(jpg, dht.offset + 2, 0xffff), 'x.jpg');
  add('JPEG DHT code counts all 0xFF', concat(jpg.slice(0, dht.offset + 5), new Uint8Array(16).fill(0xff), jpg.slice(dht.offset + 21)), 'x.jpg');
  add('JPEG DQT table id 7', setField(jpg, dqt.offset + 4, 1, 7, false), 'x.jpg');
  add('JPEG DQT all zeros', concat(jpg.slice(0, dqt.offset + 5), new Uint8Array(64), jpg.slice(dqt.offset + 69)), 'x.jpg');
  add('JPEG SOS component count 4', setField(jpg, sos.offset + 4, 1, 4, false), 'x.jpg');
  add('JPEG cut right after SOI', jpg.slice(0, 2), 'x.jpg');
  add('JPEG cut before SOS', jpg.slice(0, sos.offset), 'x.jpg');
  add('JPEG cut in the scan', jpg.slice(0, sos.offset + ((jpg.length - sos.offset) >> 1)), 'x.jpg');
  add('JPEG without EOI', jpg.slice(0, jpg.length - 2), 'x.jpg');
  add('JPEG scan of 0xFF bytes', concat(jpg.slice(0, sos.offset + 2 + sos.length), new Uint8Array(200).fill(0xff), Uint8Array.from([0xff, 0xd9])), 'x.jpg');
  add('JPEG restart interval 1, no RST markers', concat(jpg.slice(0, sos.offset), Uint8Array.from([0xff, 0xdd, 0, 4, 0, 1]), jpg.slice(sos.offset)), 'x.jpg');
  add('JPEG APP1 EXIF of garbage', concat(jpg.slice(0, 2), Uint8Array.from([0xff, 0xe1, 0, 40]), ascii('Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff'), new Uint8Array(22).fill(0xee), jpg.slice(2)), 'x.jpg');
  add('JPEG EXIF IFD pointing at itself', concat(jpg.slice(0, 2), Uint8Array.from([0xff, 0xe1, 0, 34]), ascii('Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00'), u32be(8), jpg.slice(2)), 'x.jpg');
  // Other containers.
  const gif = seeds.get('gif')!.bytes;
  add('GIF logical screen 65535x65535', setField(setField(gif, 6, 2, 0xffff, true), 8, 2, 0xffff, true), 'x.gif');
  add('GIF cut after the header', gif.slice(0, 13), 'x.gif');
  const tif = seeds.get('tiff')!.bytes;
  add('TIFF first IFD offset past the end', setField(tif, 4, 4, 0x7ffffff0, true), 'x.tif');
  add('TIFF first IFD offset 0', setField(tif, 4, 4, 0, true), 'x.tif');
  add('TIFF IFD entry count 0xFFFF', setField(tif, new DataView(tif.buffer, tif.byteOffset).getUint32(4, true), 2, 0xffff, true), 'x.tif');
  add('TIFF cut to 64 bytes', tif.slice(0, 64), 'x.tif');
  const webp = seeds.get('webp')!.bytes;
  add('WebP RIFF size 0xFFFFFFFF', setField(webp, 4, 4, 0xffffffff, true), 'x.webp');
  add('WebP cut in half', webp.slice(0, webp.length >> 1), 'x.webp');
  for (const p of ['missing', 'directory', 'fifo', 'dev-zero', 'dangling-symlink'] as const) add(`path is ${p}`, png, 'x.png', p);
  return cases;
}

function zlibRaw(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(deflateSync(bytes));
}

function zlibOf(zeros: number): Uint8Array {
  return zlibRaw(new Uint8Array(zeros));
}

export function imageRandom(seeds: Map<string, { bytes: Uint8Array; ext: string }>, r: Rand): Case {
  const [name, seed] = r.pick([...seeds.entries()]);
  if (seed.ext === '.png' && r.next() < 0.35) {
    // Corrupt one chunk's data and fix its CRC, so the damage reaches the decoder proper.
    const chunks = pngChunks(seed.bytes);
    const i = r.int(chunks.length);
    const c = chunks[i];
    const data = c.data.slice();
    const flips = 1 + r.int(4);
    for (let k = 0; k < flips && data.length > 0; k++) data[r.int(data.length)] ^= 1 << r.int(8);
    return { mutation: `${name}: ${flips} bit(s) of ${c.type} flipped, CRC fixed`, bytes: pngFile(chunks.map((x, j) => (j === i ? { ...x, data } : x))), name: 'x.png' };
  }
  const m = randomByteMutation(seed.bytes, r, 96);
  return { mutation: `${name}: ${m.mutation}`, bytes: m.bytes, name: `x${seed.ext}` };
}
