/**
 * @file An independent reader of the `.npy` files the CLI writes (format 1.0/2.0, little-endian
 * float32 only), so the end-to-end tests check the file format itself rather than trusting the
 * writer's own reader.
 */
import { readFile } from 'node:fs/promises';

/** Reads a float32 C-order `.npy`; throws on anything else. */
export async function readFloat32Npy(path: string): Promise<{ shape: number[]; data: Float32Array }> {
  const b = await readFile(path);
  if (b.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${path}: not an .npy file`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.subarray(start, start + headerLen).toString('latin1');
  if ((start + headerLen) % 64 !== 0) throw new Error(`${path}: data does not start on a 64-byte boundary`);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' || fortran !== 'False' || shapeText === undefined) throw new Error(`${path}: unexpected header ${header}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const bytes = b.subarray(start + headerLen);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  if (data.length !== shape.reduce((a, c) => a * c, 1)) throw new Error(`${path}: ${data.length} values for shape [${shape}]`);
  return { shape, data };
}
