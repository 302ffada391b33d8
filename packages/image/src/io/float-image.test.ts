import { beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, initEngine, InvalidArgumentError, ShapeMismatchError, tf } from '@latentkit/core';
import { assertFloatImage, imagesToTensor, tensorToImages } from './float-image.js';
import type { FloatImage } from './float-image.js';

function image(width: number, height: number, channels: 1 | 3, fill: (i: number) => number): FloatImage {
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return { data, width, height, channels };
}

beforeAll(async () => {
  await initEngine();
});

describe('imagesToTensor / tensorToImages', () => {
  it('stacks images as [n, h, w, c] and splits them back unchanged', () => {
    const a = image(3, 2, 3, (i) => i / 20);
    const b = image(3, 2, 3, (i) => 1 - i / 20);
    const t = imagesToTensor([a, b]);
    expect(t.shape).toEqual([2, 2, 3, 3]);
    // pixel (y=1, x=2) of image b, channel 1: index (1*3 + 2)*3 + 1 = 16
    expect(t.arraySync()[1][1][2][1]).toBeCloseTo(1 - 16 / 20, 6);
    const back = tensorToImages(t);
    t.dispose();
    expect(back).toHaveLength(2);
    expect(back[0]).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(Array.from(back[1].data)).toEqual(Array.from(b.data));
  });

  it('refuses images of different sizes, naming the first one that differs', () => {
    const a = image(28, 28, 1, () => 0);
    const b = image(28, 27, 1, () => 0);
    expect(() => imagesToTensor([a, a, b])).toThrow(ShapeMismatchError);
    expect(() => imagesToTensor([a, a, b])).toThrow(/images\[2\] is 28x27x1; expected 28x28x1/);
    expect(() => imagesToTensor([a, image(28, 28, 3, () => 0)])).toThrow(ShapeMismatchError);
  });

  it('refuses an empty list and inconsistent images', () => {
    expect(() => imagesToTensor([])).toThrow(EmptyInputError);
    const bad = { data: new Float32Array(5), width: 2, height: 2, channels: 1 as const };
    expect(() => imagesToTensor([bad])).toThrow(ShapeMismatchError);
    expect(() => assertFloatImage({ ...bad, channels: 2 as unknown as 1 })).toThrow(InvalidArgumentError);
  });

  it('clamps decoder outputs to [0, 1] and maps NaN to 0', () => {
    const t = tf.tensor4d([-0.5, 0.25, 1.5, NaN], [1, 2, 2, 1]);
    const [im] = tensorToImages(t);
    t.dispose();
    expect(Array.from(im.data)).toEqual([0, 0.25, 1, 0]);
  });

  it('accepts a single [h, w, c] image and refuses other ranks or channel counts', () => {
    const t3 = tf.zeros([4, 5, 3]);
    expect(tensorToImages(t3)[0]).toMatchObject({ width: 5, height: 4, channels: 3 });
    const t2 = tf.zeros([4, 5]);
    const t4 = tf.zeros([1, 4, 5, 2]);
    expect(() => tensorToImages(t2)).toThrow(ShapeMismatchError);
    expect(() => tensorToImages(t4)).toThrow(ShapeMismatchError);
    tf.dispose([t3, t2, t4]);
  });
});
