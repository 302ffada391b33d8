import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  InvalidArgumentError,
  ModelFormatError,
  ModelMismatchError,
  PathEscapeError,
  UnknownModelKindError,
  UnsupportedFormatVersionError,
  VectorAutoencoder,
  initEngine,
  loadModel,
  readManifest,
  registerModels,
  tf,
} from '@latentkit/core';
import { readVerifiedFolder } from './folder-read.js';
import { fileSource } from './model-folder.js';

let root: string;
const inputs = Array.from({ length: 20 }, (_, i) => Float32Array.from({ length: 6 }, (_, j) => Math.sin(i * 0.3 + j)));

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lk-folder-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function savedModel(name: string): Promise<{ dir: string; model: VectorAutoencoder }> {
  const model = VectorAutoencoder.create({ inputDim: 6, latentDim: 3, hidden: [8] });
  await model.fit(inputs, { epochs: 2, batchSize: 5 });
  const dir = join(root, name);
  await model.save(dir);
  return { dir, model };
}

/** Rewrites a file inside a saved model and updates its checksum, to test checks past the checksum. */
async function tamper(dir: string, rel: string, edit: (text: string) => string): Promise<void> {
  const m = JSON.parse(await readFile(join(dir, 'latentkit.json'), 'utf8'));
  const key = `${m.root}/${rel}`;
  const next = edit(await readFile(join(dir, key), 'utf8'));
  await writeFile(join(dir, key), next);
  const bytes = Buffer.from(next);
  m.files[key] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  await writeFile(join(dir, 'latentkit.json'), JSON.stringify(m));
}

describe('model folders', () => {
  it('save -> load gives bit-identical encodings and keeps the training summary', async () => {
    const { dir, model } = await savedModel('roundtrip');
    const loaded = await VectorAutoencoder.load(dir);
    const a = await model.encode(inputs);
    const b = await loaded.encode(inputs);
    a.forEach((l, i) => expect(Array.from(b[i].data)).toEqual(Array.from(l.data)));
    expect(loaded.config).toEqual(model.config);
    expect(loaded.training?.epochs).toBe(2);
    const m = await readManifest(dir);
    expect(m.formatVersion).toBe(1);
    expect(Object.keys(m.files).length).toBe(4);
    model.dispose();
    loaded.dispose();
  });

  it('writes networks that plain tfjs loads from model.json over HTTP', async () => {
    const { dir, model } = await savedModel('plain-tfjs');
    const m = await readManifest(dir);
    const base = join(dir, m.root, 'encoder');
    // tfjs's browser loader, with fetch served from the folder: what a web page would do.
    const fetchFunc = async (url: string) => new Response(await readFile(join(base, url.replace('http://x/', ''))));
    const net = await tf.loadLayersModel(tf.io.http('http://x/model.json', { fetchFunc: fetchFunc as typeof fetch }));
    const x = tf.tensor2d(inputs[0], [1, 6]);
    const y = net.predict(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual(Array.from((await model.encode([inputs[0]]))[0].data));
    tf.dispose([x, y]);
    net.dispose();
    model.dispose();
  });

  it('stores float16 weights at half the size, loading values rounded to float16', async () => {
    const { dir, model } = await savedModel('half');
    // Values float16 holds exactly must survive bit for bit: 1, -2.5, 0x2e66, the smallest subnormal.
    const exact = [1, -2.5, 0.0999755859375, 2 ** -24];
    const layer = model.networks.encoder.layers.find((l) => l.getWeights().length > 0)!;
    const [kernel, ...rest] = layer.getWeights();
    const values = Float32Array.from(await kernel.data());
    values.set(exact);
    layer.setWeights([tf.tensor(values, kernel.shape), ...rest]);
    const halfDir = join(root, 'half-f16');
    await model.save(halfDir, { weightPrecision: 'float16' });
    const [full, half] = await Promise.all([readManifest(dir), readManifest(halfDir)]);
    const size = (m: typeof full, net: string) => m.files[`${m.root}/${net}/weights.bin`].bytes;
    expect(size(half, 'encoder') * 2).toBe(size(full, 'encoder'));
    const loaded = await VectorAutoencoder.load(halfDir);
    const a = values;
    const b = await loaded.networks.encoder.getWeights()[0].data();
    expect(Array.from(b.slice(0, 4))).toEqual(exact);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 6e-5));
    expect(worst).toBeGreaterThan(0); // really rounded
    expect(worst).toBeLessThanOrEqual(2 ** -11); // half an ulp of float16's 10-bit mantissa
    loaded.dispose();
    // An affine-quantised spec (a tfjs-converter feature) is refused with its name and field.
    await tamper(halfDir, 'encoder/model.json', (t) => t.replace('{"dtype":"float16"}', '{"dtype":"uint8","scale":1,"min":0}'));
    await expect(VectorAutoencoder.load(halfDir)).rejects.toThrow(/quantization .*uint8.* only \{"dtype":"float16"\}/);
    model.dispose();
  });

  it('refuses a flipped byte in a weights file', async () => {
    const { dir, model } = await savedModel('flipped');
    model.dispose();
    const m = await readManifest(dir);
    const w = join(dir, m.root, 'decoder', 'weights.bin');
    const bytes = await readFile(w);
    bytes[10] ^= 0x40;
    await writeFile(w, bytes);
    const err = await VectorAutoencoder.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err.message).toContain('weights.bin');
  });

  it('refuses a truncated model.json, with or without a matching checksum', async () => {
    const { dir, model } = await savedModel('truncated');
    model.dispose();
    const m = await readManifest(dir);
    const f = join(dir, m.root, 'encoder', 'model.json');
    const text = await readFile(f, 'utf8');
    await writeFile(f, text.slice(0, text.length / 2));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(ChecksumMismatchError);
    await writeFile(f, text);
    await tamper(dir, 'encoder/model.json', (t) => t.slice(0, t.length / 2));
    const err = await VectorAutoencoder.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/model\.json is not valid JSON/);
  });

  it('refuses weight paths that leave the folder', async () => {
    const { dir, model } = await savedModel('escape');
    model.dispose();
    await tamper(dir, 'encoder/model.json', (t) => t.replace('"paths":["weights.bin"]', '"paths":["../../../etc/passwd"]'));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(PathEscapeError);
    const m = JSON.parse(await readFile(join(dir, 'latentkit.json'), 'utf8'));
    m.files['/etc/passwd'] = { sha256: 'x', bytes: 1 };
    await writeFile(join(dir, 'latentkit.json'), JSON.stringify(m));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('refuses weights shorter than declared, and shapes that would need terabytes', async () => {
    const { dir, model } = await savedModel('sizes');
    model.dispose();
    await tamper(dir, 'encoder/model.json', (t) => t.replace(/"shape":\[6,8\]/, '"shape":[6,9]'));
    await expect(VectorAutoencoder.load(dir)).rejects.toThrow(/declare \d+ bytes but the weight files hold \d+/);
    await tamper(dir, 'encoder/model.json', (t) => t.replace(/"shape":\[6,9\]/, '"shape":[1000000,1000000]'));
    await expect(VectorAutoencoder.load(dir)).rejects.toThrow(/would need more than/);
  });

  it('refuses another kind, an unknown format version, a missing file and wrong field types', async () => {
    const { dir, model } = await savedModel('checks');
    model.dispose();
    const mf = join(dir, 'latentkit.json');
    const good = await readFile(mf, 'utf8');
    const m = JSON.parse(good);
    await writeFile(mf, JSON.stringify({ ...m, kind: 'image/conv-ae', config: { ...m.config, kind: 'image/conv-ae' } }));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(ModelMismatchError);
    await writeFile(mf, JSON.stringify({ ...m, formatVersion: 99 }));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(UnsupportedFormatVersionError);
    await writeFile(mf, JSON.stringify({ ...m, networks: 'encoder' }));
    await expect(VectorAutoencoder.load(dir)).rejects.toThrow(/field 'networks' must be an array/);
    await writeFile(mf, good);
    await rm(join(dir, m.root, 'decoder', 'weights.bin'));
    const err = await VectorAutoencoder.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/missing file/);
    await expect(VectorAutoencoder.load(join(root, 'nope'))).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('overwrites an existing model in place and sweeps the old generation', async () => {
    const { dir, model } = await savedModel('overwrite');
    await model.fit(inputs, { epochs: 1 });
    await model.save(dir);
    const entries = await readdir(dir);
    expect(entries.filter((e) => e.startsWith('weights-')).length).toBe(1);
    expect(entries.length).toBe(2);
    model.dispose();
  });

  it('never saves into a foreign folder or through a symlink', async () => {
    const foreign = join(root, 'home');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'precious');
    const model = VectorAutoencoder.create({ inputDim: 6 });
    await expect(model.save(foreign)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('precious');
    const link = join(root, 'link');
    await symlink(foreign, link);
    await expect(model.save(link)).rejects.toBeInstanceOf(PathEscapeError);
    await writeFile(join(root, 'afile'), 'x');
    await expect(model.save(join(root, 'afile'))).rejects.toBeInstanceOf(InvalidArgumentError);
    model.dispose();
  });

  it('loadModel dispatches on kind through the registry', async () => {
    const { dir, model } = await savedModel('registry');
    model.dispose();
    const m = JSON.parse(await readFile(join(dir, 'latentkit.json'), 'utf8'));
    const other = join(root, 'unknown-kind');
    await mkdir(other);
    await writeFile(join(other, 'latentkit.json'), JSON.stringify({ ...m, kind: 'speech/unknown', config: { ...m.config, kind: 'speech/unknown' } }));
    registerModels([VectorAutoencoder]);
    const loaded = await loadModel(dir);
    expect(loaded).toBeInstanceOf(VectorAutoencoder);
    loaded.dispose();
    await expect(loadModel(other)).rejects.toBeInstanceOf(UnknownModelKindError);
  });
});

describe('model load validation', () => {
  it('refuses a saved config that is invalid or disagrees with its networks, leaking no tensors', async () => {
    const { dir, model } = await savedModel('bad-config');
    model.dispose();
    const mf = join(dir, 'latentkit.json');
    const good = JSON.parse(await readFile(mf, 'utf8'));
    const before = tf.memory().numTensors;
    for (const config of [
      { ...good.config, inputDim: 1e12 },
      { ...good.config, inputDim: 7 },
      { ...good.config, hidden: 'wide' },
      { kind: good.config.kind, version: 1, modality: 'vector' },
    ]) {
      await writeFile(mf, JSON.stringify({ ...good, config }));
      await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(ModelFormatError);
    }
    await writeFile(mf, JSON.stringify({ ...good, config: { ...good.config, version: 2 } }));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(UnsupportedFormatVersionError);
    await writeFile(mf, JSON.stringify({ ...good, networks: ['encoder'] }));
    await expect(VectorAutoencoder.load(dir)).rejects.toBeInstanceOf(ModelFormatError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a read while another process saves', () => {
  // The case behind concurrent saves: a reader has read the manifest, then a save in another
  // process commits a new generation and sweeps the one the reader is on. Files opened before
  // the sweep stay readable, so the read completes on the generation it started.
  it('finishes on the files it opened, though their generation was swept and replaced', async () => {
    const { dir, model } = await savedModel('swept-under-read');
    const want = await model.encode(inputs);
    const manifest = await readManifest(dir);
    const pinnedSource = fileSource(dir);
    const unpinnedSource = fileSource(dir);
    try {
      await pinnedSource.pin(Object.keys(manifest.files));
      const other = VectorAutoencoder.create({ inputDim: 6, latentDim: 3, hidden: [8] });
      await other.save(dir);
      other.dispose();
      // The save swept the generation the manifest above names.
      expect(await readdir(dir)).not.toContain(manifest.root);
      await expect(readVerifiedFolder(unpinnedSource, manifest, {})).rejects.toBeInstanceOf(ModelFormatError);
      const { networks } = await readVerifiedFolder(pinnedSource, manifest, {});
      const got = tf.tidy(() => (networks.encoder.predict(tf.tensor2d(inputs.map((r) => Array.from(r)))) as tf.Tensor).arraySync() as number[][]);
      for (const n of Object.values(networks)) n.dispose();
      want.forEach((w, i) => expect(got[i]).toEqual(Array.from(w.data)));
    } finally {
      await pinnedSource.close();
      model.dispose();
    }
  });
});
