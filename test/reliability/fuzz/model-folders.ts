/**
 * @file Model folders as editable in-memory images (every file, symlink, FIFO or sparse file
 * by relative path), the deterministic mutations the corpus applies to a saved seed folder,
 * and writing an image back to disk for one loader call.
 *
 * Why an image rather than copying and patching on disk: the corpus describes ~hundreds of
 * folders but only one exists at a time (the harness materialises it, loads it, deletes it),
 * so the temp dir never holds more than a couple of small models.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Rand } from './bytes.js';
import { randomByteMutation } from './bytes.js';

/** One entry of a folder image. */
export type FolderEntry =
  | { kind: 'file'; bytes: Uint8Array }
  /** A symlink; `$OUTSIDE` in the target becomes the sibling folder outside the model. */
  | { kind: 'symlink'; target: string }
  | { kind: 'fifo' }
  | { kind: 'dir' }
  /** A sparse file of this many bytes (claims a huge size, costs no disk). */
  | { kind: 'sparse'; bytes: number };

/** A model folder (and optionally files outside it) by relative path. */
export interface FolderImage {
  entries: Map<string, FolderEntry>;
  /** Files in the sibling folder `outside/`, targets for symlinks that leave the model folder. */
  outside: Map<string, FolderEntry>;
  /** What the loader is pointed at instead of a normal folder. */
  dirKind?: 'missing' | 'file' | 'symlink-to-model' | 'symlink-loop';
}

export const MANIFEST = 'latentkit.json';

/** Reads a saved model folder into an image. */
export async function readFolderImage(dir: string): Promise<FolderImage> {
  const entries = new Map<string, FolderEntry>();
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else entries.set(r, { kind: 'file', bytes: new Uint8Array(await readFile(join(dir, r))) });
    }
  };
  await walk('');
  return { entries, outside: new Map() };
}

export function cloneImage(img: FolderImage): FolderImage {
  return { entries: new Map(img.entries), outside: new Map(img.outside), dirKind: img.dirKind };
}

/** Writes an image as `<work>/model` (and `<work>/outside`); returns the path to hand the loader. */
export async function materialise(img: FolderImage, work: string): Promise<string> {
  const model = join(work, 'model');
  const outside = join(work, 'outside');
  const put = async (base: string, rel: string, e: FolderEntry) => {
    const full = join(base, rel);
    await mkdir(dirname(full), { recursive: true });
    if (e.kind === 'file') await writeFile(full, e.bytes);
    else if (e.kind === 'dir') await mkdir(full, { recursive: true });
    else if (e.kind === 'symlink') await symlink(e.target.replace('$OUTSIDE', outside), full);
    else if (e.kind === 'fifo') execFileSync('mkfifo', [full]);
    else {
      await writeFile(full, new Uint8Array(0));
      await truncate(full, e.bytes);
    }
  };
  await mkdir(outside, { recursive: true });
  for (const [rel, e] of img.outside) await put(outside, rel, e);
  if (img.dirKind === 'missing') return join(work, 'no-such-model');
  if (img.dirKind === 'file') {
    await writeFile(join(work, 'model-file'), '{}');
    return join(work, 'model-file');
  }
  if (img.dirKind === 'symlink-loop') {
    await symlink(join(work, 'loop'), join(work, 'loop'));
    return join(work, 'loop');
  }
  await mkdir(model, { recursive: true });
  for (const [rel, e] of img.entries) await put(model, rel, e);
  if (img.dirKind === 'symlink-to-model') {
    await symlink(model, join(work, 'link'));
    return join(work, 'link');
  }
  return model;
}

// ---------------------------------------------------------------------------- manifest access

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
type JsonObject = { [k: string]: JsonValue };

function fileBytes(img: FolderImage, rel: string): Uint8Array {
  const e = img.entries.get(rel);
  if (!e || e.kind !== 'file') throw new Error(`seed folder has no file ${rel}`);
  return e.bytes;
}

export function readJson(img: FolderImage, rel: string): JsonObject {
  return JSON.parse(new TextDecoder().decode(fileBytes(img, rel))) as JsonObject;
}

export function writeJson(img: FolderImage, rel: string, value: unknown): void {
  img.entries.set(rel, { kind: 'file', bytes: new TextEncoder().encode(JSON.stringify(value)) });
}

export function setText(img: FolderImage, rel: string, text: string | Uint8Array): void {
  img.entries.set(rel, { kind: 'file', bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text });
}

/** Paths of the seed's files by role. */
export interface SeedLayout {
  root: string;
  networks: string[];
  modelJson: string;
  weights: string;
  /** Files in the generation folder that are not a network's (vocabularies and such). */
  extras: string[];
}

export function layoutOf(img: FolderImage): SeedLayout {
  const m = readJson(img, MANIFEST) as { root: string; networks: string[] };
  const net = m.networks[0];
  const files = [...img.entries.keys()];
  return {
    root: m.root,
    networks: m.networks,
    modelJson: `${m.root}/${net}/model.json`,
    weights: `${m.root}/${net}/weights.bin`,
    extras: files.filter((f) => f !== MANIFEST && !m.networks.some((n) => f.startsWith(`${m.root}/${n}/`))),
  };
}

/** Re-records size and sha256 of every listed regular file, so a tampered file passes the checksum stage. */
export function fixChecksums(img: FolderImage): void {
  const m = readJson(img, MANIFEST) as { files: Record<string, { sha256: string; bytes: number }> };
  if (!m.files || typeof m.files !== 'object') return;
  for (const rel of Object.keys(m.files)) {
    const e = img.entries.get(rel);
    if (e?.kind !== 'file') continue;
    m.files[rel] = { sha256: createHash('sha256').update(e.bytes).digest('hex'), bytes: e.bytes.length };
  }
  writeJson(img, MANIFEST, m);
}

function editJson(img: FolderImage, rel: string, edit: (j: JsonObject) => void, fix: boolean): FolderImage {
  const out = cloneImage(img);
  const j = readJson(out, rel);
  edit(j);
  writeJson(out, rel, j);
  if (fix) fixChecksums(out);
  return out;
}

/** A named model-folder mutation. */
export interface FolderMutation {
  name: string;
  apply(seed: FolderImage): FolderImage;
}

/** Values of the wrong type, size or sign for any JSON field. */
export const INTERESTING_JSON: readonly JsonValue[] = [
  null, true, false, 0, -1, 0.5, 2 ** 31, 2 ** 53, 1e308, -1e308, '', 'x', '../../outside', '/etc/passwd', 'a\u0000b', [], {}, [1e9, 1e9], [-1], 'x'.repeat(5000),
];

// The topology of the first network: dense layers are where sizes live.
function firstDenseConfig(mj: JsonObject): JsonObject | undefined {
  const layers = ((mj.modelTopology as JsonObject)?.config as JsonObject)?.layers as JsonObject[] | undefined;
  return layers?.find((l) => l.class_name === 'Dense')?.config as JsonObject | undefined;
}

function inputLayerConfig(mj: JsonObject): JsonObject | undefined {
  const layers = ((mj.modelTopology as JsonObject)?.config as JsonObject)?.layers as JsonObject[] | undefined;
  return layers?.find((l) => l.class_name === 'InputLayer')?.config as JsonObject | undefined;
}

function weightSpecs(mj: JsonObject): JsonObject[] {
  return ((mj.weightsManifest as JsonObject[])[0].weights as JsonObject[]) ?? [];
}

/**
 * Every structural mutation of a saved folder: manifest fields, network JSON, weight files,
 * paths and symlinks. Generic over the model kind (they use only the folder layout).
 */
export function folderMutations(seed: FolderImage): FolderMutation[] {
  const L = layoutOf(seed);
  const manifest = readJson(seed, MANIFEST);
  const manifestText = new TextDecoder().decode(fileBytes(seed, MANIFEST));
  const out: FolderMutation[] = [];
  const add = (name: string, apply: (s: FolderImage) => FolderImage) => {
    if (!out.some((m) => m.name === name)) out.push({ name, apply });
  };
  const edit = (name: string, rel: string, fn: (j: JsonObject) => void, fix = false) => add(name, (s) => editJson(s, rel, fn, fix));
  const replaceFile = (name: string, rel: string, e: FolderEntry | undefined, fix = false) =>
    add(name, (s) => {
      const o = cloneImage(s);
      if (e) o.entries.set(rel, e);
      else o.entries.delete(rel);
      if (fix) fixChecksums(o);
      return o;
    });

  // The untouched seed: must load.
  add('identity (valid seed)', (s) => cloneImage(s));
  add('folder reached through a symlink', (s) => ({ ...cloneImage(s), dirKind: 'symlink-to-model' }));

  // Where the folder itself is wrong.
  add('folder does not exist', (s) => ({ ...cloneImage(s), dirKind: 'missing' }));
  add('folder is a regular file', (s) => ({ ...cloneImage(s), dirKind: 'file' }));
  add('folder is a symlink loop', (s) => ({ ...cloneImage(s), dirKind: 'symlink-loop' }));
  add('folder is empty', () => ({ entries: new Map(), outside: new Map() }));

  // latentkit.json as a file.
  replaceFile('latentkit.json missing', MANIFEST, undefined);
  replaceFile('latentkit.json empty', MANIFEST, { kind: 'file', bytes: new Uint8Array(0) });
  for (const cut of [1, 16, Math.floor(manifestText.length / 2), manifestText.length - 2]) {
    replaceFile(`latentkit.json truncated to ${cut} bytes`, MANIFEST, { kind: 'file', bytes: new TextEncoder().encode(manifestText.slice(0, cut)) });
  }
  replaceFile('latentkit.json is plain text', MANIFEST, { kind: 'file', bytes: new TextEncoder().encode('hello, this is not a model\n') });
  replaceFile('latentkit.json invalid UTF-8', MANIFEST, { kind: 'file', bytes: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) });
  for (const text of ['[]', 'null', '42', '"latentkit-model"', '{}', '['.repeat(200_000)]) {
    replaceFile(`latentkit.json is ${text.length > 20 ? `${text.length} nested arrays` : text}`, MANIFEST, { kind: 'file', bytes: new TextEncoder().encode(text) });
  }
  replaceFile('latentkit.json claims 65 MiB (sparse)', MANIFEST, { kind: 'sparse', bytes: 65 * 1024 * 1024 });
  replaceFile('latentkit.json is a folder', MANIFEST, { kind: 'dir' });
  replaceFile('latentkit.json is a FIFO', MANIFEST, { kind: 'fifo' });
  replaceFile('latentkit.json is a dangling symlink', MANIFEST, { kind: 'symlink', target: '$OUTSIDE/nothing-here.json' });
  replaceFile('latentkit.json is a symlink to itself', MANIFEST, { kind: 'symlink', target: MANIFEST });

  // Every manifest field missing or of the wrong type.
  for (const key of Object.keys(manifest)) {
    edit(`manifest.${key} deleted`, MANIFEST, (j) => delete j[key]);
    for (const v of [null, 1, 'x', [], {}, true] as JsonValue[]) edit(`manifest.${key} = ${JSON.stringify(v)}`, MANIFEST, (j) => (j[key] = v));
  }
  for (const v of [0, 2, -1, 1.5, 1e308, '1']) edit(`manifest.formatVersion = ${JSON.stringify(v)}`, MANIFEST, (j) => (j.formatVersion = v));
  edit('manifest.kind of another model', MANIFEST, (j) => {
    j.kind = 'other/kind';
    (j.config as JsonObject).kind = 'other/kind';
  });
  edit('manifest.kind differs from config.kind', MANIFEST, (j) => ((j.config as JsonObject).kind = 'other/kind'));
  edit('manifest.modality swapped', MANIFEST, (j) => (j.modality = j.modality === 'image' ? 'audio' : 'image'));
  for (const root of ['../outside', '/etc', '', '.', 'a/../../x', 'x\u0000y', 'no-such-generation', 'a\\..\\..\\x']) {
    edit(`manifest.root = ${JSON.stringify(root)}`, MANIFEST, (j) => (j.root = root));
  }
  for (const nets of [['../x'], ['/abs'], ['missing-net'], [], [1], [L.networks[0], L.networks[0]], Array.from({ length: 10_000 }, (_, i) => `n${i}`)] as JsonValue[][]) {
    edit(`manifest.networks = ${JSON.stringify(nets).slice(0, 40)}`, MANIFEST, (j) => (j.networks = nets));
  }
  const fileEdits: [string, (f: JsonObject) => void][] = [
    ["files key '../../etc/passwd'", (f) => (f['../../etc/passwd'] = f[L.weights])],
    ["files key '/etc/passwd'", (f) => (f['/etc/passwd'] = f[L.weights])],
    ['files key with a backslash', (f) => (f[`${L.root}\\x`] = f[L.weights])],
    ['files entry null', (f) => (f[L.weights] = null)],
    ['files sha256 is a number', (f) => ((f[L.weights] as JsonObject).sha256 = 1)],
    ['files bytes -1', (f) => ((f[L.weights] as JsonObject).bytes = -1)],
    ['files bytes 1.5', (f) => ((f[L.weights] as JsonObject).bytes = 1.5)],
    ['files bytes "12"', (f) => ((f[L.weights] as JsonObject).bytes = '12')],
    ['files bytes 1e15', (f) => ((f[L.weights] as JsonObject).bytes = 1e15)],
    ['files bytes off by one', (f) => ((f[L.weights] as JsonObject).bytes = ((f[L.weights] as JsonObject).bytes as number) + 1)],
    ['files sha256 wrong for model.json', (f) => ((f[L.modelJson] as JsonObject).sha256 = '0'.repeat(64))],
    ['files sha256 wrong for weights.bin', (f) => ((f[L.weights] as JsonObject).sha256 = 'f'.repeat(64))],
    ['files lists a file that does not exist', (f) => (f[`${L.root}/ghost.bin`] = { sha256: '0'.repeat(64), bytes: 0 })],
    ['files = {}', (f) => Object.keys(f).forEach((k) => delete f[k])],
    ['files omits weights.bin', (f) => delete f[L.weights]],
    ['files omits model.json', (f) => delete f[L.modelJson]],
    [
      'files lists 20,000 aliases of weights.bin',
      (f) => {
        for (let i = 1; i <= 20_000; i++) f[`${'./'.repeat(i % 50)}${L.root}/${'./'.repeat(Math.floor(i / 50))}${L.weights.slice(L.root.length + 1)}`] = f[L.weights];
      },
    ],
  ];
  for (const [name, fn] of fileEdits) edit(`manifest ${name}`, MANIFEST, (j) => fn(j.files as JsonObject));

  // Config and training summary of the wrong types (the manifest is not checksummed).
  edit('config holds only kind', MANIFEST, (j) => (j.config = { kind: j.kind }));
  for (const key of Object.keys(manifest.config as JsonObject).filter((k) => k !== 'kind')) {
    for (const v of [null, '8', -1, 1e12, [1e9]] as JsonValue[]) edit(`config.${key} = ${JSON.stringify(v)}`, MANIFEST, (j) => ((j.config as JsonObject)[key] = v));
  }
  edit('training = "x"', MANIFEST, (j) => (j.training = 'x'));
  edit('training.epochs = "many"', MANIFEST, (j) => (j.training = { epochs: 'many', finalLoss: null, seconds: -1 }));

  // The first network's model.json (checksums fixed, so it reaches the tfjs stage).
  const mjText = new TextDecoder().decode(fileBytes(seed, L.modelJson));
  replaceFile('model.json missing', L.modelJson, undefined);
  replaceFile('model.json empty (checksum fixed)', L.modelJson, { kind: 'file', bytes: new Uint8Array(0) }, true);
  replaceFile('model.json truncated (checksum fixed)', L.modelJson, { kind: 'file', bytes: new TextEncoder().encode(mjText.slice(0, mjText.length >> 1)) }, true);
  for (const text of ['[]', '"x"', '{}']) replaceFile(`model.json is ${text} (checksum fixed)`, L.modelJson, { kind: 'file', bytes: new TextEncoder().encode(text) }, true);
  const mjEdits: [string, (j: JsonObject) => void][] = [
    ['modelTopology deleted', (j) => delete j.modelTopology],
    ['modelTopology = "x"', (j) => (j.modelTopology = 'x')],
    ['modelTopology = []', (j) => (j.modelTopology = [])],
    ['weightsManifest deleted', (j) => delete j.weightsManifest],
    ['weightsManifest = {}', (j) => (j.weightsManifest = {})],
    ['weightsManifest = [{}]', (j) => (j.weightsManifest = [{}])],
    ['weightsManifest paths = "weights.bin"', (j) => ((j.weightsManifest as JsonObject[])[0].paths = 'weights.bin')],
    ['weight shape [1e6, 1e6] (4 TB)', (j) => (weightSpecs(j)[0].shape = [1e6, 1e6])],
    ['weight shape [2^31, 2^31]', (j) => (weightSpecs(j)[0].shape = [2 ** 31, 2 ** 31])],
    ['weight shape [-1]', (j) => (weightSpecs(j)[0].shape = [-1])],
    ['weight shape [1.5]', (j) => (weightSpecs(j)[0].shape = [1.5])],
    ['weight shape ["8"]', (j) => (weightSpecs(j)[0].shape = ['8'])],
    ['weight shape deleted', (j) => delete weightSpecs(j)[0].shape],
    ['weight dtype float16', (j) => (weightSpecs(j)[0].dtype = 'float16')],
    ['weight dtype string', (j) => (weightSpecs(j)[0].dtype = 'string')],
    ['weight dtype complex64', (j) => (weightSpecs(j)[0].dtype = 'complex64')],
    ['weight quantized', (j) => (weightSpecs(j)[0].quantization = { dtype: 'uint8', scale: 1, min: 0 })],
    ['weight renamed', (j) => (weightSpecs(j)[0].name = 'no_such_layer/kernel')],
    ['weight listed twice', (j) => weightSpecs(j).push(weightSpecs(j)[0])],
    ['weight spec removed', (j) => weightSpecs(j).pop()],
    ['weights shapes swapped', (j) => {
      const w = weightSpecs(j);
      [w[0].shape, w[1].shape] = [w[1].shape, w[0].shape];
    }],
    ["weight path '../../../etc/passwd'", (j) => ((j.weightsManifest as JsonObject[])[0].paths = ['../../../etc/passwd'])],
    ["weight path '/etc/passwd'", (j) => ((j.weightsManifest as JsonObject[])[0].paths = ['/etc/passwd'])],
    ["weight path 'nope.bin'", (j) => ((j.weightsManifest as JsonObject[])[0].paths = ['nope.bin'])],
    ['weight paths []', (j) => ((j.weightsManifest as JsonObject[])[0].paths = [])],
    ['weight paths [123]', (j) => ((j.weightsManifest as JsonObject[])[0].paths = [123])],
    ['weight path listed twice', (j) => ((j.weightsManifest as JsonObject[])[0].paths = ['weights.bin', 'weights.bin'])],
    ["weight path 'x/../weights.bin'", (j) => ((j.weightsManifest as JsonObject[])[0].paths = ['x/../weights.bin'])],
    ['dense units 1e9 (terabytes of kernel)', (j) => (firstDenseConfig(j)!.units = 1e9)],
    ['dense units 2^31', (j) => (firstDenseConfig(j)!.units = 2 ** 31)],
    ['dense units 3e7 (gigabytes of kernel)', (j) => (firstDenseConfig(j)!.units = 3e7)],
    ['dense units -1', (j) => (firstDenseConfig(j)!.units = -1)],
    ['dense units 0', (j) => (firstDenseConfig(j)!.units = 0)],
    ['dense units "x"', (j) => (firstDenseConfig(j)!.units = 'x')],
    ['dense activation unknown', (j) => (firstDenseConfig(j)!.activation = 'no-such-activation')],
    ['dense kernel_initializer unknown', (j) => (firstDenseConfig(j)!.kernel_initializer = { class_name: 'NoSuchInit', config: {} })],
    ['input batch_input_shape [null, 1e9]', (j) => (inputLayerConfig(j)!.batch_input_shape = [null, 1e9])],
    ['input batch_input_shape [null, 3e7]', (j) => (inputLayerConfig(j)!.batch_input_shape = [null, 3e7])],
    ['input batch_input_shape [null, -5]', (j) => (inputLayerConfig(j)!.batch_input_shape = [null, -5])],
    ['input batch_input_shape "x"', (j) => (inputLayerConfig(j)!.batch_input_shape = 'x')],
    ['layer class NoSuchLayer', (j) => ((((j.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[])[1].class_name = 'NoSuchLayer')],
    ['topology layers = {}', (j) => (((j.modelTopology as JsonObject).config as JsonObject).layers = {})],
    ['topology layers = []', (j) => (((j.modelTopology as JsonObject).config as JsonObject).layers = [])],
    ['topology config deleted', (j) => delete (j.modelTopology as JsonObject).config],
    ['topology class_name Sequential', (j) => ((j.modelTopology as JsonObject).class_name = 'Sequential')],
    ['topology class_name NoSuchModel', (j) => ((j.modelTopology as JsonObject).class_name = 'NoSuchModel')],
    ['inbound node names a missing layer', (j) => {
      const layers = ((j.modelTopology as JsonObject).config as JsonObject).layers as JsonObject[];
      layers[layers.length - 1].inbound_nodes = [[['ghost_layer', 0, 0, {}]]];
    }],
    ['output_layers names a missing layer', (j) => (((j.modelTopology as JsonObject).config as JsonObject).output_layers = [['ghost', 0, 0]])],
    ['input_layers deleted', (j) => delete ((j.modelTopology as JsonObject).config as JsonObject).input_layers],
  ];
  for (const [name, fn] of mjEdits) {
    add(`model.json ${name} (checksum fixed)`, (s) => {
      const o = cloneImage(s);
      const j = readJson(o, L.modelJson);
      try {
        fn(j);
      } catch {
        // A seed without that structure (no Dense, no InputLayer): the edit degrades to a no-op.
      }
      writeJson(o, L.modelJson, j);
      fixChecksums(o);
      return o;
    });
  }

  // weights.bin contents and size.
  const w = fileBytes(seed, L.weights);
  replaceFile('weights.bin missing', L.weights, undefined);
  replaceFile('weights.bin 4 bytes short (checksum fixed)', L.weights, { kind: 'file', bytes: w.slice(0, w.length - 4) }, true);
  replaceFile('weights.bin 1 byte short (checksum fixed)', L.weights, { kind: 'file', bytes: w.slice(0, w.length - 1) }, true);
  replaceFile('weights.bin 4 bytes long (checksum fixed)', L.weights, { kind: 'file', bytes: Uint8Array.from([...w, 0, 0, 0, 0]) }, true);
  replaceFile('weights.bin empty (checksum fixed)', L.weights, { kind: 'file', bytes: new Uint8Array(0) }, true);
  replaceFile('weights.bin all NaN (checksum fixed)', L.weights, { kind: 'file', bytes: new Uint8Array(new Float32Array(w.length / 4).fill(NaN).buffer) }, true);
  replaceFile('weights.bin truncated (checksum stale)', L.weights, { kind: 'file', bytes: w.slice(0, w.length >> 1) });
  add('weights.bin bit flipped (checksum stale)', (s) => {
    const o = cloneImage(s);
    const b = w.slice();
    b[b.length >> 1] ^= 0x10;
    o.entries.set(L.weights, { kind: 'file', bytes: b });
    return o;
  });
  replaceFile('weights.bin is a folder', L.weights, { kind: 'dir' });
  replaceFile('weights.bin is a FIFO', L.weights, { kind: 'fifo' });
  add('weights.bin is a FIFO recorded as 0 bytes', (s) => {
    const o = editJson(s, MANIFEST, (j) => ((j.files as JsonObject)[L.weights] = { sha256: '0'.repeat(64), bytes: 0 }), false);
    o.entries.set(L.weights, { kind: 'fifo' });
    return o;
  });
  add('weights.bin sparse 3 GiB, manifest records 3 GiB', (s) => {
    const o = editJson(s, MANIFEST, (j) => (((j.files as JsonObject)[L.weights] as JsonObject).bytes = 3 * 2 ** 30), false);
    o.entries.set(L.weights, { kind: 'sparse', bytes: 3 * 2 ** 30 });
    return o;
  });
  add('weights.bin sparse 5 GiB, manifest records 5 GiB', (s) => {
    const o = editJson(s, MANIFEST, (j) => (((j.files as JsonObject)[L.weights] as JsonObject).bytes = 5 * 2 ** 30), false);
    o.entries.set(L.weights, { kind: 'sparse', bytes: 5 * 2 ** 30 });
    return o;
  });

  // Symlinks and the generation folder.
  const outsideCopy = (s: FolderImage): FolderImage => {
    const o = cloneImage(s);
    o.outside.set('weights.bin', s.entries.get(L.weights)!);
    for (const [rel, e] of s.entries) if (rel.startsWith(`${L.root}/`)) o.outside.set(rel, e);
    return o;
  };
  add('weights.bin symlinks to an identical file outside the folder', (s) => {
    const o = outsideCopy(s);
    o.entries.set(L.weights, { kind: 'symlink', target: '$OUTSIDE/weights.bin' });
    return o;
  });
  replaceFile('weights.bin symlinks to /etc/passwd', L.weights, { kind: 'symlink', target: '/etc/passwd' });
  replaceFile('weights.bin symlinks to /dev/zero', L.weights, { kind: 'symlink', target: '/dev/zero' });
  replaceFile('weights.bin dangling symlink', L.weights, { kind: 'symlink', target: '$OUTSIDE/gone.bin' });
  replaceFile('weights.bin symlink loop', L.weights, { kind: 'symlink', target: 'weights.bin' });
  replaceFile('weights.bin relative symlink inside the folder', L.weights, { kind: 'symlink', target: 'model.json' });
  add('generation folder symlinks outside the model folder', (s) => {
    const o = outsideCopy(s);
    for (const rel of [...o.entries.keys()]) if (rel.startsWith(`${L.root}/`)) o.entries.delete(rel);
    o.entries.set(L.root, { kind: 'symlink', target: `$OUTSIDE/${L.root}` });
    return o;
  });
  add('generation folder missing', (s) => {
    const o = cloneImage(s);
    for (const rel of [...o.entries.keys()]) if (rel.startsWith(`${L.root}/`)) o.entries.delete(rel);
    return o;
  });
  add('unlisted extra file in the folder', (s) => {
    const o = cloneImage(s);
    o.entries.set(`${L.root}/stray.txt`, { kind: 'file', bytes: new TextEncoder().encode('stray') });
    return o;
  });

  // Extra files (vocabularies, ...) with wrong contents and fixed checksums.
  for (const extra of L.extras) {
    for (const [what, bytes] of [
      ['empty', ''],
      ['not JSON', 'nope'],
      ['a JSON number', '7'],
      ['a JSON object of the wrong shape', '{"characters": 5}'],
      ['a huge array', JSON.stringify({ characters: Array.from({ length: 100_000 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20000))) })],
    ] as const) {
      replaceFile(`${extra.slice(L.root.length + 1)} is ${what} (checksum fixed)`, extra, { kind: 'file', bytes: new TextEncoder().encode(bytes) }, true);
    }
    replaceFile(`${extra.slice(L.root.length + 1)} missing`, extra, undefined);
  }
  return out;
}

// ---------------------------------------------------------------------------- random mutations

function jsonPaths(v: JsonValue, path: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
  if (depth > 12 || out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...path, i]), jsonPaths(x, [...path, i], out, depth + 1)));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push([...path, k]), jsonPaths(v[k], [...path, k], out, depth + 1);
  return out;
}

function setPath(root: JsonValue, path: (string | number)[], value: JsonValue | undefined): void {
  let node = root as { [k: string]: JsonValue };
  for (const p of path.slice(0, -1)) node = node[p as string] as { [k: string]: JsonValue };
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last as string];
  } else node[last as string] = value;
}

/** One random mutation of a folder: a JSON value anywhere in a JSON file, or bytes of any file. */
export function randomFolderMutation(seed: FolderImage, r: Rand): { name: string; image: FolderImage } {
  const files = [...seed.entries.entries()].filter(([, e]) => e.kind === 'file').map(([k]) => k);
  const rel = r.pick(files);
  const bytes = fileBytes(seed, rel);
  const fix = rel !== MANIFEST && r.next() < 0.8;
  const o = cloneImage(seed);
  let name: string;
  if (rel.endsWith('.json') && r.next() < 0.75) {
    const j = readJson(o, rel) as JsonValue;
    const paths = jsonPaths(j);
    const path = r.pick(paths);
    const del = r.next() < 0.15;
    const value = del ? undefined : r.pick(INTERESTING_JSON);
    setPath(j, path, value);
    writeJson(o, rel, j);
    name = `${rel.split('/').pop()} ${path.join('.')} ${del ? 'deleted' : `= ${JSON.stringify(value)?.slice(0, 30)}`}`;
  } else {
    const m = randomByteMutation(bytes, r, Math.min(bytes.length, 256));
    o.entries.set(rel, { kind: 'file', bytes: m.bytes });
    name = `${rel.split('/').pop()} ${m.mutation}`;
  }
  if (fix) fixChecksums(o);
  return { name: `${name}${fix ? ' (checksum fixed)' : ''}`, image: o };
}
