/**
 * @file The files README blocks read, made in the folder they run in (a fresh clone has no
 * data): `sentences.txt`; `speech.wav` and `clips/*.wav` (synthetic voices); `seven.jpg`,
 * `photo.png` and `photos/<class>/*.png`; tiny MNIST-format IDX sets in `data/mnist` and
 * `data/fashion-mnist` (40 training and 20 test images of synthetic digits); and
 * `out/mnist.npy` with its row manifest `out/mnist.rows.csv`, for the explorer.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeNpy, formatRowsCsv } from '@latentkit/core';
import { syntheticSpeechCorpus, writeWav } from '@latentkit/audio';
import { syntheticGlyphs, writePng, type FloatImage } from '@latentkit/image';

/** An IDX file: big-endian magic (0, 0, type 0x08 = ubyte, dims), dimension sizes, then bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt8(0x08, 2);
  head.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([head, Buffer.from(data)]));
}

async function writeIdxSet(dir: string, split: 'train' | 't10k', images: readonly FloatImage[], labels: ArrayLike<number>): Promise<void> {
  const pixels = new Uint8Array(images.length * 784);
  images.forEach((im, i) => im.data.forEach((v, j) => (pixels[i * 784 + j] = Math.round(Math.min(1, Math.max(0, v)) * 255))));
  await writeFile(join(dir, `${split}-images-idx3-ubyte`), idx([images.length, 28, 28], pixels));
  await writeFile(join(dir, `${split}-labels-idx1-ubyte`), idx([labels.length], Uint8Array.from(labels)));
}

/**
 * Writes every fixture into `dir`.
 * @param dir the folder the README blocks run in.
 */
export async function makeReadmeFixtures(dir: string): Promise<void> {
  await writeFile(join(dir, 'sentences.txt'), 'the cat sat on the mat\na dog runs in the park\nseven apples on a table\nthe cat is sleeping\n');

  const corpus = syntheticSpeechCorpus({ speakers: 3, utterancesPerSpeaker: 2, seed: 5 });
  await writeWav(join(dir, 'speech.wav'), corpus[0].clip);
  await mkdir(join(dir, 'clips'));
  for (let i = 0; i < corpus.length; i++) await writeWav(join(dir, 'clips', `${corpus[i].speakerName}-${i}.wav`), corpus[i].clip);

  const train = await syntheticGlyphs({ count: 40, seed: 11 });
  const test = await syntheticGlyphs({ count: 20, seed: 12 });
  const gray = (im: FloatImage) => Buffer.from(Uint8Array.from(im.data, (v) => Math.round(v * 255)));
  await sharp(gray(test.images[0]), { raw: { width: 28, height: 28, channels: 1 } }).jpeg().toFile(join(dir, 'seven.jpg'));
  await sharp(gray(test.images[1]), { raw: { width: 28, height: 28, channels: 1 } }).resize(80, 60).png().toFile(join(dir, 'photo.png'));
  for (const [k, cls] of ['cats', 'dogs'].entries()) {
    await mkdir(join(dir, 'photos', cls), { recursive: true });
    for (let i = 0; i < 3; i++) await writePng(join(dir, 'photos', cls, `${i}.png`), train.images[k * 3 + i]);
  }
  for (const name of ['mnist', 'fashion-mnist']) {
    const d = join(dir, 'data', name);
    await mkdir(d, { recursive: true });
    await writeIdxSet(d, 'train', train.images, train.labels);
    await writeIdxSet(d, 't10k', test.images, test.labels);
  }

  // Codes for the explorer: 60 rows of 8 numbers in three loose clusters, with their manifest.
  await mkdir(join(dir, 'out'));
  const rows = 60;
  const data = Float32Array.from({ length: rows * 8 }, (_, i) => Math.sin(i * 0.77) * 0.3 + (Math.floor(i / 8) % 3 === i % 8 ? 2 : 0));
  await writeFile(join(dir, 'out', 'mnist.npy'), encodeNpy({ data, rows, cols: 8 }));
  await writeFile(join(dir, 'out', 'mnist.rows.csv'), formatRowsCsv(Array.from({ length: rows }, (_, i) => ({ source: `digit-${i}.png`, label: String(i % 3) }))));
}
