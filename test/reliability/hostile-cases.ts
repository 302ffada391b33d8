/**
 * @file The hostile-path and loader cases of issue 22 as data, run by
 * test/cli/path-safety.test.ts and test/reliability/loader-validation.test.ts (which assert on
 * every case) and by `npm run bench -- reliability` (which reports the counts).
 *
 * Path cases run the CLI in this process (runCli) and must end in a typed error, exit 1, and
 * leave every protected file as it was. Loader cases damage a saved model folder and must end
 * in a typed error from the model class's `load`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as core from '@latentkit/core';
import { VectorAutoencoder, readManifest, type Autoencoder, type ModelClass } from '@latentkit/core';
import { ConvImageAutoencoder, DenseImageAutoencoder, ImageVAE, syntheticGlyphs, writePng } from '@latentkit/image';
import { SpeechAutoencoder } from '@latentkit/audio';
import { SentenceAutoencoder } from '@latentkit/text';
import { runCli } from '@latentkit/cli';

/** How one case ended. */
export interface CaseOutcome {
  name: string;
  /** The error class (from the `--verbose` stack for CLI cases), or undefined on success. */
  errorClass?: string;
  /** Its `code` when it is a latentkit error. */
  code?: string;
  /** Whether every protected file and folder is as it was. */
  unchanged: boolean;
  detail?: string;
}

/** A latentkit error class name's code, or undefined when it names no latentkit error. */
function codeOf(cls: string | undefined): string | undefined {
  const C = cls ? (core as unknown as Record<string, unknown>)[cls] : undefined;
  if (typeof C !== 'function' || !(C.prototype instanceof core.LatentkitError)) return undefined;
  return (new (C as new (m: string) => core.LatentkitError)('')).code;
}

/** Runs `latentkit <args> --verbose` in this process: exit code, stderr and the error class. */
async function cli(args: string[]): Promise<{ code: number; stderr: string; errorClass?: string }> {
  let stderr = '';
  const sink = new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) });
  const code = await runCli([...args, '--verbose', '--quiet'], { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: sink });
  return { code, stderr, errorClass: /^(\w+Error): /m.exec(stderr)?.[1] };
}

/** Every file under each root with its sha256 ('folder', 'link', 'missing'). */
async function snapshot(roots: readonly string[]): Promise<string> {
  const out: string[] = [];
  for (const root of roots) {
    const entries = await readdir(root, { recursive: true }).catch(() => undefined);
    if (!entries) {
      out.push(`${root} missing`);
      continue;
    }
    for (const rel of entries.sort()) {
      const bytes = await readFile(join(root, rel)).catch(() => undefined);
      out.push(`${root}/${rel} ${bytes ? createHash('sha256').update(bytes).digest('hex') : 'folder-or-link'}`);
    }
  }
  return out.join('\n');
}

/**
 * The CLI's hostile output paths: outputs inside the model folder (its manifest, a weight file,
 * the folder, a new sub-folder), inside an `--in` or `--data` folder, an `--out` that is a link
 * (to a folder elsewhere, to a file, dangling) for train, reconstruct and encode, and model
 * folders whose `latentkit.json` or weight file is a link out of the folder.
 * @param root an empty scratch folder.
 */
export async function runPathCases(root: string): Promise<CaseOutcome[]> {
  await mkdir(root, { recursive: true });
  const model = join(root, 'model');
  const m0 = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 4, filters: [4, 8] });
  await m0.save(model);
  m0.dispose();
  const manifest = await readManifest(model);
  const pngs = join(root, 'pngs');
  await mkdir(pngs);
  const { images } = await syntheticGlyphs({ count: 2, seed: 1 });
  const png = join(pngs, 'a.png');
  await writePng(png, images[0]);
  await writePng(join(pngs, 'b.png'), images[1]);
  const data = join(root, 'data');
  const elsewhere = join(root, 'elsewhere');
  await mkdir(data);
  await mkdir(elsewhere);
  await writeFile(join(root, 'precious.txt'), 'keep');
  await symlink(elsewhere, join(root, 'link-dir'));
  await symlink(join(root, 'precious.txt'), join(root, 'link-file'));
  await symlink(join(root, 'nowhere'), join(root, 'link-dangling'));
  // Copies of the model whose manifest, or one weight file, is a link back into `model`.
  const weightsRel = join(manifest.root, 'encoder', 'weights.bin');
  for (const d of ['linked-manifest', 'linked-weights']) {
    for (const rel of Object.keys(manifest.files)) {
      await mkdir(join(root, d, rel, '..'), { recursive: true });
      await writeFile(join(root, d, rel), await readFile(join(model, rel)));
    }
  }
  await symlink(join(model, 'latentkit.json'), join(root, 'linked-manifest', 'latentkit.json'));
  await writeFile(join(root, 'linked-weights', 'latentkit.json'), await readFile(join(model, 'latentkit.json')));
  await rm(join(root, 'linked-weights', weightsRel));
  await symlink(join(model, weightsRel), join(root, 'linked-weights', weightsRel));

  const protectedPaths = [model, pngs, data, elsewhere, join(root, 'link-file'), join(root, 'linked-manifest'), join(root, 'linked-weights')];
  const enc = (out: string, m = model, input = png) => ['encode', 'image', '--model', m, '--in', input, '--out', out];
  const train = (out: string, extra: string[] = []) => ['train', 'image', '--count', '8', '--epochs', '1', ...extra, '--out', out];
  const recon = (out: string) => ['reconstruct', '--model', model, '--in', png, '--out', out];
  const cases: [string, string[]][] = [
    ['encode --out <model>/latentkit.json', enc(join(model, 'latentkit.json'))],
    ['encode --out <model>/<weights.bin>', enc(join(model, weightsRel))],
    ['reconstruct --out <model>', recon(model)],
    ['reconstruct --out <model>/recon', recon(join(model, 'recon'))],
    ['encode --out <--in folder>/codes.npy', enc(join(pngs, 'codes.npy'), model, pngs)],
    ['train --out <--data folder>/model', train(join(data, 'model'), ['--data', data])],
    ...(['link-dir', 'link-file', 'link-dangling'] as const).flatMap((l): [string, string[]][] => [
      [`train --out ${l}`, train(join(root, l))],
      [`reconstruct --out ${l}`, recon(join(root, l))],
      [`encode --out ${l}`, enc(join(root, l))],
    ]),
    ['encode --model <latentkit.json links out>', enc(join(root, 'x.npy'), join(root, 'linked-manifest'))],
    ['encode --model <weights.bin links out>', enc(join(root, 'y.npy'), join(root, 'linked-weights'))],
  ];
  const outcomes: CaseOutcome[] = [];
  for (const [name, args] of cases) {
    const before = await snapshot(protectedPaths);
    const r = await cli(args);
    const unchanged = (await snapshot(protectedPaths)) === before && !(await readdir(root)).includes('nowhere');
    outcomes.push({
      name,
      ...(r.code !== 0 ? { errorClass: r.errorClass ?? 'unknown', code: codeOf(r.errorClass) } : {}),
      unchanged,
      detail: r.stderr.split('\n')[0],
    });
  }
  return outcomes;
}

/** A saved tiny model of each kind, and config edits its loader must refuse naming the field. */
export const LOADER_KINDS: { name: string; cls: ModelClass; make(): Autoencoder<any, any>; cases: [string, unknown][] }[] = [
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

type JsonObject = Record<string, unknown>;

/** Edits `latentkit.json`'s config (the manifest carries no checksum of itself). */
export async function editConfig(dir: string, edit: (config: JsonObject) => void): Promise<void> {
  const file = join(dir, 'latentkit.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as { config: JsonObject };
  edit(m.config);
  await writeFile(file, JSON.stringify(m));
}

/** Sets `path` (`a.b`) in an object. */
export function setPath(obj: JsonObject, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as JsonObject;
  o[keys[keys.length - 1]] = value;
}

/** Replaces value `index` of a network's weight file (float32, or float16 bits) and fixes its checksum. */
export async function poisonWeight(dir: string, network: string, index: number, value: number, half = false): Promise<void> {
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

async function loadOutcome(name: string, load: () => Promise<{ dispose(): void }>): Promise<CaseOutcome> {
  try {
    (await load()).dispose();
    return { name, unchanged: true };
  } catch (e) {
    const errorClass = (e as Error)?.constructor?.name ?? typeof e;
    return { name, errorClass, code: e instanceof core.LatentkitError ? e.code : undefined, unchanged: true, detail: (e as Error)?.message };
  }
}

/**
 * The loader cases: NaN and infinite weights (float32 and float16), every config edit of
 * {@link LOADER_KINDS}, and configs whose layer sizes do not fit the saved networks.
 * @param root an empty scratch folder.
 */
export async function runLoaderCases(root: string): Promise<CaseOutcome[]> {
  await mkdir(root, { recursive: true });
  const out: CaseOutcome[] = [];
  for (const [value, half] of [[NaN, false], [Infinity, false], [-Infinity, true], [NaN, true]] as const) {
    const dir = join(root, `non-finite-${value}-${half}`);
    const m = VectorAutoencoder.create({ inputDim: 6, latentDim: 2, hidden: [8] });
    await m.save(dir, half ? { weightPrecision: 'float16' } : {});
    m.dispose();
    await poisonWeight(dir, 'decoder', 5, value, half);
    out.push(await loadOutcome(`${value} in a ${half ? 'float16' : 'float32'} weight`, () => VectorAutoencoder.load(dir)));
  }
  for (const kind of LOADER_KINDS) {
    const dir = join(root, `config-${kind.name.replace(' ', '-')}`);
    const m = kind.make();
    await m.save(dir);
    m.dispose();
    const original = await readFile(join(dir, 'latentkit.json'), 'utf8');
    for (const [field, value] of kind.cases) {
      await writeFile(join(dir, 'latentkit.json'), original);
      await editConfig(dir, (c) => setPath(c, field, value));
      out.push(await loadOutcome(`${kind.name}: ${field} = ${JSON.stringify(value) ?? String(value)}`, () => kind.cls.load(dir)));
    }
    await writeFile(join(dir, 'latentkit.json'), original);
  }
  await editConfig(join(root, 'config-sentence'), (c) => Object.assign(c, { globalDim: 8, latentDim: 24 }));
  out.push(await loadOutcome('sentence: globalDim larger than its networks', () => SentenceAutoencoder.load(join(root, 'config-sentence'))));
  await editConfig(join(root, 'config-speech'), (c) => (c.speakerDim = 6));
  out.push(await loadOutcome('speech: speakerDim other than its networks', () => SpeechAutoencoder.load(join(root, 'config-speech'))));
  return out;
}
