/**
 * Loaders refuse what cannot work, with a typed error naming the problem: NaN or infinite
 * weights (naming network and weight, with `allowNonFinite` to load them anyway), config fields
 * of the wrong type or out of range in every model kind (naming field, value and range), and
 * configs whose layer sizes do not fit the saved networks.
 */
import { createHash } from 'node:crypto';
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
  readManifest,
  registerModels,
  tf,
  type Autoencoder,
  type ModelClass,
} from '@latentkit/core';
import { ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE } from '@latentkit/image';
import { SpeechAutoencoder } from '@latentkit/audio';
import { SentenceAutoencoder } from '@latentkit/text';

let root: string;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lk-loaders-'));
  registerModels([VectorAutoencoder, ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE, SpeechAutoencoder, SentenceAutoencoder]);
});
afterAll(async () => root && rm(root, { recursive: true, force: true }));

type JsonObject = Record<string, unknown>;

/** Edits `latentkit.json`'s config of a saved folder (the manifest itself carries no checksum). */
async function editConfig(dir: string, edit: (config: JsonObject) => void): Promise<void> {
  const file = join(dir, 'latentkit.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as { config: JsonObject };
  edit(m.config);
  await writeFile(file, JSON.stringify(m));
}

/** Sets `path` (`a.b`) in an object. */
function setPath(obj: JsonObject, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as JsonObject;
  o[keys[keys.length - 1]] = value;
}

/** Rewrites the weight file of a network with one float replaced, and fixes its checksum. */
async function poisonWeight(dir: string, network: string, index: number, value: number, half = false): Promise<void> {
  const m = await readManifest(dir);
  const rel = `${m.root}/${network}/weights.bin`;
  const bytes = new Uint8Array(await readFile(join(dir, rel)));
  const view = new DataView(bytes.buffer);
  if (half) view.setUint16(index * 2, Number.isNaN(value) ? 0x7e00 : value > 0 ? 0x7c00 : 0xfc00, true);
  else view.setFloat32(index * 4, value, true);
  await writeFile(join(dir, rel), bytes);
  const file = join(dir, 'latentkit.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, { sha256: string }> };
  raw.files[rel].sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(file, JSON.stringify(raw));
}

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

/** A saved tiny model of each kind, and config edits each loader must refuse naming the field. */
const KINDS: { name: string; cls: ModelClass; make(): Autoencoder<any, any>; cases: [string, unknown][] }[] = [
  {
    name: 'vector',
    cls: VectorAutoencoder,
    make: () => VectorAutoencoder.create({ inputDim: 6, latentDim: 2, hidden: [8] }),
    cases: [['latentDim', 1e9], ['hidden', 'x'], ['activation', 'gelu'], ['seed', 'x']],
  },
  {
    name: 'image conv',
    cls: ConvImageAutoencoder,
    make: () => ConvImageAutoencoder.create({ inputShape: [8, 8, 1], latentDim: 3, filters: [2] }),
    cases: [['latentDim', 1e9], ['kernelSize', 2.5], ['loss', 'l1'], ['corruption', 5], ['augment', { shift: 'a' }], ['inputShape', [8, 8, 2]]],
  },
  { name: 'image dense', cls: DenseImageAutoencoder, make: () => DenseImageAutoencoder.create({ inputShape: [8, 8, 1], latentDim: 3, hidden: [4] }), cases: [['hidden', [0]], ['seed', 'x']] },
  { name: 'image VAE', cls: ImageVAE, make: () => ImageVAE.create({ inputShape: [8, 8, 1], latentDim: 2, filters: [2] }), cases: [['beta', -1], ['beta', 'big']] },
  {
    name: 'speech',
    cls: SpeechAutoencoder,
    make: () => SpeechAutoencoder.create({ sampleRate: 8000, channels: 4, speakerDim: 4, contentDim: 2, normalization: { mean: new Array(40).fill(-5), std: new Array(40).fill(2) } }),
    cases: [['nuisanceDirections', 1.5], ['centerPooled', 'yes'], ['speakerDim', 1e9], ['nuisanceProjection', 2], ['mel.htk', 1], ['activityThreshold', Infinity], ['griffinLimIterations', 0.5]],
  },
  {
    name: 'sentence',
    cls: SentenceAutoencoder,
    make: () => SentenceAutoencoder.create({ maxLength: 16, embedDim: 4, channels: [8], depths: [1], globalDim: 4, localDim: 16, globalFeatures: 8, contextHashes: [] }),
    cases: [['globalDim', 1e9], ['noise.maskRate', 3], ['contextHashes', [{ radius: 1, buckets: 'x' }]], ['temperature', 0], ['wordBag', 7], ['channels', [8, 8, 8, 8, 8, 8]]],
  },
];

describe('config fields are type- and range-checked at load, naming field, value and range', () => {
  for (const kind of KINDS) {
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
