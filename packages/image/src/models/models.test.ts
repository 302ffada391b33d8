/**
 * The skeleton every image model passes (build, encode shape, decode shape, save/load round
 * trip, one short fit lowers the loss), run once per model class on small synthetic glyphs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  ModelMismatchError,
  ShapeMismatchError,
  initEngine,
  loadModel,
  makeLatent,
  registerModels,
  tf,
  type Latent,
} from '@latentkit/core';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { FloatImage } from '../io/float-image.js';
import { ConvImageAutoencoder, createDenoisingAutoencoder } from './conv-ae.js';
import { DenseImageAutoencoder } from './dense-ae.js';
import type { ImageAutoencoder, ImageModelConfig } from './image-autoencoder.js';
import { ImageVAE } from './vae.js';
import { imageModels } from './index.js';

const SIZE = 16;
let root: string;
let images: FloatImage[];

beforeAll(async () => {
  await initEngine();
  root = await mkdtemp(join(tmpdir(), 'lk-image-models-'));
  images = (await syntheticGlyphs({ count: 96, size: SIZE, seed: 3, style: 'strokes' })).images;
});
afterAll(async () => rm(root, { recursive: true, force: true }));

type AnyImageModel = ImageAutoencoder<ImageModelConfig>;
interface Case {
  name: string;
  kind: string;
  create: () => AnyImageModel;
  load: (dir: string) => Promise<AnyImageModel>;
}

const shape: [number, number, number] = [SIZE, SIZE, 1];
const cases: Case[] = [
  {
    name: 'DenseImageAutoencoder',
    kind: 'image/dense-ae',
    create: () => DenseImageAutoencoder.create({ inputShape: shape, latentDim: 6, hidden: [32] }),
    load: (d) => DenseImageAutoencoder.load(d),
  },
  {
    name: 'ConvImageAutoencoder',
    kind: 'image/conv-ae',
    create: () => ConvImageAutoencoder.create({ inputShape: shape, latentDim: 6, filters: [8, 16] }),
    load: (d) => ConvImageAutoencoder.load(d),
  },
  {
    name: 'ConvImageAutoencoder (denoising, mse)',
    kind: 'image/conv-ae',
    create: () => createDenoisingAutoencoder({ inputShape: shape, latentDim: 6, filters: [8], loss: 'mse', corruption: { type: 'mask', amount: 0.3 } }),
    load: (d) => ConvImageAutoencoder.load(d),
  },
  {
    name: 'ImageVAE',
    kind: 'image/vae',
    create: () => ImageVAE.create({ inputShape: shape, latentDim: 4, filters: [8, 16], hidden: [32] }),
    load: (d) => ImageVAE.load(d),
  },
];

describe.each(cases)('$name skeleton', ({ name, kind, create, load }) => {
  it('builds with its kind and an image config', () => {
    const model = create();
    expect(model.config.kind).toBe(kind);
    expect(model.config.modality).toBe('image');
    expect(model.inputShape).toEqual(shape);
    expect(JSON.parse(JSON.stringify(model.config))).toEqual(model.config);
    model.dispose();
  });

  it('encodes to [latentDim] and decodes to images of the input shape in [0, 1]', async () => {
    const model = create();
    const codes = await model.encode(images.slice(0, 5));
    expect(codes).toHaveLength(5);
    for (const c of codes) {
      expect(c.shape).toEqual([model.config.latentDim]);
      expect(c.modality).toBe('image');
      expect(c.model).toBe(kind);
    }
    const out = await model.decode(codes);
    expect(out).toHaveLength(5);
    for (const im of out) {
      expect([im.height, im.width, im.channels]).toEqual(shape);
      expect(Math.min(...im.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...im.data)).toBeLessThanOrEqual(1);
    }
    model.dispose();
  });

  it('save -> load gives bit-identical encodings and reconstructions', async () => {
    const model = create();
    await model.fit(images, { epochs: 1, batchSize: 32 });
    const dir = join(root, name.replace(/\W+/g, '-'));
    await model.save(dir);
    const loaded = await load(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.training?.epochs).toBe(1);
    const [a, b] = [await model.encode(images.slice(0, 8)), await loaded.encode(images.slice(0, 8))];
    a.forEach((l, i) => expect(Array.from(b[i].data)).toEqual(Array.from(l.data)));
    const [ra, rb] = [await model.reconstruct(images.slice(0, 3)), await loaded.reconstruct(images.slice(0, 3))];
    ra.forEach((im, i) => expect(Array.from(rb[i].data)).toEqual(Array.from(im.data)));
    // The registry loads it too.
    registerModels(imageModels);
    const any = await loadModel(dir);
    expect(any.config.kind).toBe(kind);
    any.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('one short fit lowers the loss and leaks no tensors', async () => {
    const model = create();
    const before = tf.memory().numTensors;
    const history = await model.fit(images, { epochs: 4, batchSize: 16, learningRate: 3e-3 });
    expect(history.loss[3]).toBeLessThan(history.loss[0]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses codes of the wrong size and images of the wrong shape', async () => {
    const model = create();
    const d = model.config.latentDim;
    const bad: Latent = makeLatent(new Float32Array(d + 1), [d + 1], 'image', kind);
    await expect(model.decode([bad])).rejects.toBeInstanceOf(ShapeMismatchError);
    const wrong: FloatImage = { data: new Float32Array(8 * 8), width: 8, height: 8, channels: 1 };
    await expect(model.encode([wrong])).rejects.toBeInstanceOf(ShapeMismatchError);
    model.dispose();
  });
});

describe('image model configs', () => {
  it('default conv architecture for 28x28x1 is conv 32 s2, conv 64 s2, dense code', () => {
    const model = ConvImageAutoencoder.create();
    const names = model.networks.encoder.layers.map((l) => l.name);
    expect(names).toEqual(['encoder_input', 'encoder_conv1', 'encoder_conv2', 'encoder_flatten', 'encoder_code']);
    expect(model.networks.encoder.outputs[0].shape).toEqual([null, 32]);
    expect(model.networks.decoder.outputs[0].shape).toEqual([null, 28, 28, 1]);
    model.dispose();
  });

  it('odd input sizes decode back to the input size', async () => {
    const model = ConvImageAutoencoder.create({ inputShape: [13, 10, 3], latentDim: 4, filters: [4, 4] });
    const im: FloatImage = { data: new Float32Array(13 * 10 * 3).fill(0.5), width: 10, height: 13, channels: 3 };
    const [out] = await model.reconstruct([im]);
    expect([out.height, out.width, out.channels]).toEqual([13, 10, 3]);
    model.dispose();
  });

  it('rejects invalid options with InvalidArgumentError', () => {
    expect(() => ConvImageAutoencoder.create({ latentDim: 0 })).toThrow(InvalidArgumentError);
    expect(() => ConvImageAutoencoder.create({ inputShape: [28, 28, 2] as never })).toThrow(InvalidArgumentError);
    expect(() => ConvImageAutoencoder.create({ filters: [] })).toThrow(InvalidArgumentError);
    expect(() => DenseImageAutoencoder.create({ loss: 'l1' as never })).toThrow(InvalidArgumentError);
    expect(() => DenseImageAutoencoder.create({ corruption: { type: 'blur' as never, amount: 1 } })).toThrow(InvalidArgumentError);
    expect(() => DenseImageAutoencoder.create({ corruption: { type: 'mask', amount: 1.5 } })).toThrow(InvalidArgumentError);
    expect(() => ImageVAE.create({ beta: -1 })).toThrow(InvalidArgumentError);
  });

  it('loading a folder of another kind throws ModelMismatchError', async () => {
    const model = DenseImageAutoencoder.create({ inputShape: shape, latentDim: 2, hidden: [8] });
    const dir = join(root, 'dense-for-mismatch');
    await model.save(dir);
    await expect(ConvImageAutoencoder.load(dir)).rejects.toBeInstanceOf(ModelMismatchError);
    model.dispose();
  });
});
