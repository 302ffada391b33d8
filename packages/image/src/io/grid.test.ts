import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EmptyInputError, InputTooLargeError, InvalidArgumentError } from '@latentkit/core';
import { makeGrid, writeGrid } from './grid.js';
import type { FloatImage } from './float-image.js';

function solid(width: number, height: number, channels: 1 | 3, ...value: number[]): FloatImage {
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = value[i % channels];
  return { data, width, height, channels };
}

async function decode(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('makeGrid', () => {
  it('has the expected size without labels and places upscaled cells exactly', async () => {
    const white = solid(28, 28, 1, 1);
    const red = solid(28, 28, 3, 1, 0, 0);
    // 2 rows x 3 columns of 28x28 at scale 2 with 2 px padding:
    // width = 2 + 3 * (56 + 2) = 176, height = 2 + 2 * (56 + 2) = 118
    const png = await makeGrid([{ images: [white, white, white] }, { images: [red, red] }], { scale: 2, padding: 2, background: '#102030' });
    const out = await decode(png);
    expect([out.width, out.height]).toEqual([176, 118]);
    const px = (x: number, y: number): number[] => [...out.data.subarray((y * out.width + x) * out.channels, (y * out.width + x) * out.channels + 3)];
    expect(px(0, 0)).toEqual([0x10, 0x20, 0x30]); // padding
    expect(px(2, 2)).toEqual([255, 255, 255]); // first cell, first pixel
    expect(px(2 + 55, 2 + 55)).toEqual([255, 255, 255]); // first cell, last upscaled pixel
    expect(px(2 + 56, 2)).toEqual([0x10, 0x20, 0x30]); // gap between cells
    expect(px(2, 60 + 10)).toEqual([255, 0, 0]); // second row is red
    expect(px(2 + 2 * 58 + 10, 60 + 10)).toEqual([0x10, 0x20, 0x30]); // short second row leaves background
  });

  it('defaults to 4x upscaling for 28x28 images and adds a label column', async () => {
    const im = solid(28, 28, 1, 0.5);
    const plain = await decode(await makeGrid([{ images: [im, im] }]));
    expect([plain.width, plain.height]).toEqual([2 + 2 * (112 + 2), 2 + 112 + 2]);
    const labelled = await decode(await makeGrid([{ label: 'original', images: [im, im] }, { label: 'reconstruction', images: [im] }]));
    expect(labelled.height).toBe(2 + 2 * (112 + 2));
    expect(labelled.width).toBeGreaterThan(plain.width + 100); // room for 'reconstruction'
    // The label column has some text pixels brighter than the background.
    let bright = 0;
    for (let y = 0; y < 112; y++) for (let x = 0; x < labelled.width - plain.width; x++) {
      if (labelled.data[(y * labelled.width + x) * labelled.channels] > 200) bright++;
    }
    expect(bright).toBeGreaterThan(20);
  });

  it('writes the file atomically and refuses empty or oversized grids and bad options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lk-grid-'));
    try {
      const file = join(dir, 'grid.png');
      await writeGrid(file, [{ label: 'a<&>"', images: [solid(5, 5, 3, 0, 1, 0)] }]);
      expect((await sharp(await readFile(file)).metadata()).format).toBe('png');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(makeGrid([])).rejects.toThrow(EmptyInputError);
    await expect(makeGrid([{ label: 'x', images: [] }])).rejects.toThrow(EmptyInputError);
    await expect(makeGrid([{ images: [solid(28, 28, 1, 0)] }], { scale: 1000 })).rejects.toThrow(InputTooLargeError);
    await expect(makeGrid([{ images: [solid(2, 2, 1, 0)] }], { background: 'red' })).rejects.toThrow(InvalidArgumentError);
    await expect(makeGrid([{ images: [solid(2, 2, 1, 0)] }], { scale: 1.5 })).rejects.toThrow(InvalidArgumentError);
  });
});
