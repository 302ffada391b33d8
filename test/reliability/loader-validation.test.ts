/**
 * Loaders refuse what cannot work, with a typed error naming the problem: NaN or infinite
 * weights (naming network and weight, with `allowNonFinite` to load them anyway), config fields
 * of the wrong type or out of range in every model kind (naming field, value and range), and
 * configs whose layer sizes do not fit the saved networks.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigFieldError,
  ModelFormatError,
  NonFiniteWeightsError,
  VectorAutoencoder,
  initEngine,
  loadModel,
  registerModels,
  tf,
} from '@latentkit/core';
import { ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE } from '@latentkit/image';
import { SpeechAutoencoder } from '@latentkit/audio';
import { SentenceAutoencoder } from '@latentkit/text';
import { editConfig, LOADER_KINDS, poisonWeight, runLoaderCases, setPath } from './hostile-cases.js';

let root: string;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lk-loaders-'));
  registerModels([VectorAutoencoder, ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE, SpeechAutoencoder, SentenceAutoencoder]);
});
afterAll(async () => root && rm(root, { recursive: true, force: true }));

async function expectError<E extends Error>(p: Promise<unknown>, cls: abstract new (...a: never[]) => E): Promise<E> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').toBeInstanceOf(cls);
  return e as E;
}

describe('non-finite weights', () => {
  for (const [value, half] of [[NaN, false], [Infinity, false], [-Infinity, true], [NaN, true]] as const) {
    it(`${value} in a ${half ? 'float16' : 'float32'} weight is a NonFiniteWeightsError naming network and weight; allowNonFinite loads it`, async () => {
      const model = VectorAutoencoder.create({ inputDim: 6, latentDim: 2, hidden: [8] });
      const dir = join(root, `nan-${value}-${half}`);
      await model.save(dir, half ? { weightPrecision: 'float16' } : {});
      model.dispose();
      await poisonWeight(dir, 'decoder', 5, value, half);
      const e = await expectError(VectorAutoencoder.load(dir), NonFiniteWeightsError);
      expect(e.code).toBe('LK_NON_FINITE_WEIGHTS');
      expect(e.network).toBe('decoder');
      expect(e.weight).toMatch(/kernel/);
      expect(e.message).toContain(`'${e.weight}'`);
      expect(e).toBeInstanceOf(ModelFormatError);
      // Through the registry too, and the forensic opt-out.
      await expectError(loadModel(dir), NonFiniteWeightsError);
      const forensic = (await loadModel(dir, { allowNonFinite: true })) as VectorAutoencoder;
      const values = await Promise.all(forensic.variables().map((v) => v.data()));
      expect(values.flatMap((v) => [...v]).filter((x) => !Number.isFinite(x))).toHaveLength(1);
      forensic.dispose();
    });
  }

  it('leaks no tensors when it refuses', async () => {
    const model = VectorAutoencoder.create({ inputDim: 6, latentDim: 2, hidden: [8] });
    const dir = join(root, 'nan-leak');
    await model.save(dir);
    model.dispose();
    await poisonWeight(dir, 'encoder', 0, NaN);
    await expectError(VectorAutoencoder.load(dir), NonFiniteWeightsError); // warm-up
    const before = tf.memory().numTensors;
    await expectError(VectorAutoencoder.load(dir), NonFiniteWeightsError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('config fields are type- and range-checked at load, naming field, value and range', () => {
  for (const kind of LOADER_KINDS) {
    it(`${kind.name}: ${kind.cases.map(([f]) => f).join(', ')}`, async () => {
      const model = kind.make();
      const dir = join(root, `config-${kind.name.replace(' ', '-')}`);
      await model.save(dir);
      model.dispose();
      const original = await readFile(join(dir, 'latentkit.json'), 'utf8');
      (await kind.cls.load(dir)).dispose(); // the untouched folder loads
      for (const [field, value] of kind.cases) {
        await writeFile(join(dir, 'latentkit.json'), original);
        await editConfig(dir, (c) => setPath(c, field, value));
        const e = await expectError(kind.cls.load(dir), ModelFormatError);
        const cause = e.cause as ConfigFieldError;
        expect(cause, `${field}: ${e.message}`).toBeInstanceOf(ConfigFieldError);
        expect(cause.field.startsWith(field.split('.')[0]), `${field}: ${e.message}`).toBe(true);
        expect(e.message).toContain(cause.allowed);
        expect(e.message).toContain(String(e.file ?? ''));
      }
      await writeFile(join(dir, 'latentkit.json'), original);
    });
  }

  it('the reported cases name what they must: globalDim 1e9 and nuisanceDirections 1.5', async () => {
    const s = SentenceAutoencoder.create({ maxLength: 16, embedDim: 4, channels: [8], depths: [1], globalDim: 4, localDim: 16, globalFeatures: 8, contextHashes: [] });
    const dir = join(root, 'global-1e9');
    await s.save(dir);
    s.dispose();
    await editConfig(dir, (c) => (c.globalDim = 1e9));
    const e = await expectError(SentenceAutoencoder.load(dir), ModelFormatError);
    expect(e.message).toMatch(/globalDim must be an integer in \[0, 65536\], got 1000000000/);
    const speechDir = join(root, 'config-speech');
    await editConfig(speechDir, (c) => (c.nuisanceDirections = 1.5));
    const e2 = await expectError(SpeechAutoencoder.load(speechDir), ModelFormatError);
    expect(e2.message).toMatch(/nuisanceDirections must be an object, got 1\.5/);
  });
});

describe('layer sizes that do not fit the saved networks', () => {
  it('a sentence config with a larger globalDim than its networks is refused at load, naming the network', async () => {
    const s = SentenceAutoencoder.create({ maxLength: 16, embedDim: 4, channels: [8], depths: [1], globalDim: 4, localDim: 16, globalFeatures: 8, contextHashes: [] });
    const dir = join(root, 'global-mismatch');
    await s.save(dir);
    s.dispose();
    await editConfig(dir, (c) => {
      c.globalDim = 8;
      c.latentDim = 24;
    });
    const e = await expectError(SentenceAutoencoder.load(dir), ModelFormatError);
    expect(e.message).toMatch(/network 'encoder' maps .* but the config needs/);
  });

  it('a speech config with another speakerDim than its networks is refused at load', async () => {
    const dir = join(root, 'config-speech');
    const m = SpeechAutoencoder.create({ sampleRate: 8000, channels: 4, speakerDim: 4, contentDim: 2, normalization: { mean: new Array(40).fill(-5), std: new Array(40).fill(2) } });
    await m.save(dir);
    m.dispose();
    await editConfig(dir, (c) => (c.speakerDim = 6));
    const e = await expectError(SpeechAutoencoder.load(dir), ModelFormatError);
    expect(e.message).toMatch(/network '(content-encoder|speaker-encoder|decoder)' maps/);
  });
});

describe('the loader cases the benchmark counts', () => {
  it('every one ends in a typed latentkit error', async () => {
    const outcomes = await runLoaderCases(join(root, 'bench-cases'));
    expect(outcomes.length).toBeGreaterThanOrEqual(30);
    expect(outcomes.filter((o) => o.code === undefined).map((o) => `${o.name}: ${o.errorClass} ${o.detail ?? 'loaded'}`)).toEqual([]);
  });
});
