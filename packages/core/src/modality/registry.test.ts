import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnknownModelKindError } from '../errors/errors.js';
import { loadModel } from '../model/registry.js';
import { VectorAutoencoder } from '../model/vector-autoencoder.js';
import type { ModalityDescriptor } from './descriptor.js';
import { findModality, getModality, importModality, isModalityDescriptor, MODALITY_PACKAGES_ENV, registerModality, registeredModalities } from './registry.js';
import { resolveSettings } from './settings.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lk-modality-'));
});
afterAll(async () => {
  delete process.env[MODALITY_PACKAGES_ENV];
  await rm(root, { recursive: true, force: true });
});

/** The smallest descriptor: numbers, one per line. */
function numbers(name: string): ModalityDescriptor<number> {
  return {
    name,
    describe: 'numbers',
    packageName: 'none',
    models: [],
    parts: [],
    codec: {
      noun: 'number',
      extensions: ['.txt'],
      unit: 'line',
      decode: async (bytes) => new TextDecoder().decode(bytes).split('\n').filter(Boolean).map(Number),
      encode: async (outs) => [{ bytes: new TextEncoder().encode(outs.join('\n')), extension: '.txt', mediaType: 'text/plain' }],
    },
    recipes: [],
    datasets: [],
  };
}

describe('modality registry', () => {
  it('registers descriptors by name, in order, and refuses what is not one', () => {
    registerModality(numbers('numbers-a'));
    registerModality(numbers('numbers-b'));
    const names = registeredModalities().map((m) => m.name);
    expect(names.indexOf('numbers-a')).toBeLessThan(names.indexOf('numbers-b'));
    expect(getModality('numbers-a')?.codec.noun).toBe('number');
    expect(isModalityDescriptor({ name: 'x' })).toBe(false);
    expect(() => registerModality({ ...numbers('Bad Name') })).toThrow(InvalidArgumentError);
  });

  it('imports a module by path and registers its `modality` export; a module without one is a typed error', async () => {
    const good = join(root, 'good.mjs');
    await writeFile(good, `export const modality = { name: 'from-file', describe: 'd', packageName: 'p', models: [], parts: [], recipes: [], datasets: [], codec: { noun: 'n', extensions: [], unit: 'file', decode: async () => [], encode: async () => [] } };\n`);
    const bad = join(root, 'bad.mjs');
    await writeFile(bad, 'export const nothing = 1;\n');
    expect((await importModality(good)).name).toBe('from-file');
    expect(getModality('from-file')).toBeDefined();
    await expect(importModality(bad)).rejects.toThrow(/exports no modality descriptor/);
    await expect(importModality(join(root, 'missing.mjs'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('loadModel finds a kind nobody registered in a package named by LATENTKIT_MODALITY_PACKAGES', async () => {
    // A saved vector model relabelled as kind `toyvec/ae` of modality `toyvec`; the package
    // loads it with VectorAutoencoder's loader after restoring the kind.
    const model = VectorAutoencoder.create({ inputDim: 3, latentDim: 2, hidden: [] });
    const dir = join(root, 'toy-model');
    await model.save(dir);
    model.dispose();
    const manifestFile = join(dir, 'latentkit.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, kind: 'toyvec/ae', modality: 'toyvec', config: { ...manifest.config, kind: 'toyvec/ae', modality: 'toyvec' } }));
    await expect(loadModel(dir)).rejects.toBeInstanceOf(UnknownModelKindError);

    const pkg = join(root, 'toyvec.mjs');
    await writeFile(
      pkg,
      `export const modality = { name: 'toyvec', describe: 'd', packageName: 'toyvec', parts: [], recipes: [], datasets: [],
        codec: { noun: 'n', extensions: [], unit: 'file', decode: async () => [], encode: async () => [] },
        models: [{ kind: 'toyvec/ae', load: async (dir) => ({ kind: 'toyvec/ae', dir, dispose() {} }) }] };\n`,
    );
    const unrelated = join(root, 'numbers.mjs');
    await writeFile(unrelated, `export default { name: 'numbers-c', describe: 'd', packageName: 'p', models: [], parts: [], recipes: [], datasets: [], codec: { noun: 'n', extensions: [], unit: 'file', decode: async () => [], encode: async () => [] } };\n`);
    await mkdir(join(root, 'empty'), { recursive: true });
    process.env[MODALITY_PACKAGES_ENV] = `${unrelated}, ${pkg}`;
    const loaded = (await loadModel(dir)) as unknown as { kind: string; dir: string };
    expect(loaded).toMatchObject({ kind: 'toyvec/ae', dir });
    // Both listed packages were imported and registered on the way.
    expect(getModality('numbers-c')).toBeDefined();
    expect(await findModality('nonexistent-modality')).toBeUndefined();
  });

  it('loadModel needs no registration for core\'s own vector models', async () => {
    const model = VectorAutoencoder.create({ inputDim: 4, latentDim: 2 });
    const dir = join(root, 'vector-model');
    await model.save(dir);
    model.dispose();
    const loaded = await loadModel(dir);
    expect(loaded).toBeInstanceOf(VectorAutoencoder);
    loaded.dispose();
  });
});

describe('resolveSettings', () => {
  const specs = [
    { name: 'arch', type: 'string' as const, choices: ['conv', 'dense'], default: 'conv', describe: 'architecture' },
    { name: 'shift', type: 'number' as const, integer: true, min: 0, max: 8, describe: 'pixels' },
    { name: 'source', type: 'string' as const, required: true, describe: 'a file' },
  ];

  it('fills defaults, converts numbers given as text, and leaves out what has no value', () => {
    expect(resolveSettings(specs, { shift: '2', source: 'a.wav' })).toEqual({ arch: 'conv', shift: 2, source: 'a.wav' });
  });

  it('names the setting for unknown names, bad values and missing required ones', () => {
    expect(() => resolveSettings(specs, { source: 'a', colour: 'red' })).toThrow(/'colour' does not exist here; known: arch, shift, source/);
    expect(() => resolveSettings(specs, { source: 'a', arch: 'vae' })).toThrow(/'arch' must be one of conv, dense/);
    expect(() => resolveSettings(specs, { source: 'a', shift: 1.5 })).toThrow(/'shift' must be a whole number/);
    expect(() => resolveSettings(specs, { source: 'a', shift: 9 })).toThrow(/at most 8/);
    expect(() => resolveSettings(specs, {})).toThrow(InvalidArgumentError);
  });
});
