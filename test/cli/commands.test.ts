/**
 * @file End-to-end tests of the `latentkit` commands, each run in a child process from source:
 * help, encode (text, image folder, audio speaker codes), compare, error reporting, and output
 * confinement. Models are tiny untrained ones made through the public API (shapes and order are
 * what is checked here, not quality).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, stackLatents } from '@latentkit/core';
import { readFloat32Npy } from './npy-check.js';
import { runLatentkit } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-cli-'));
  await initEngine();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COMMANDS = ['train', 'encode', 'decode', 'reconstruct', 'denoise', 'convert-voice', 'worker', 'collect', 'index', 'search', 'compare', 'demo'];

/** Expects a failed run with exactly `latentkit: ...` and `hint: ...` on stderr. */
function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^(npm warn|\(node:)/.test(l));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^latentkit: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

function closeRows(a: Float32Array, b: Float32Array, tol = 1e-4): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])));
}

describe('latentkit --help', () => {
  it('exits 0 for the program and every command, each with examples', async () => {
    // Each run imports every modality package (their descriptors make the commands and options),
    // so ten processes at once take a while on a loaded 2-core machine.
    const help = (args: string[]) => runLatentkit(args, { timeoutMs: 240_000 });
    const runs = await Promise.all([help(['--help']), ...COMMANDS.map((c) => help([c, '--help']))]);
    expect(runs[0].code).toBe(0);
    for (const c of COMMANDS) expect(runs[0].stdout).toContain(`latentkit ${c}`);
    runs.slice(1).forEach((r, i) => {
      expect(r.code, `${COMMANDS[i]} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`latentkit ${COMMANDS[i]}`);
      expect(r.stdout).toContain('Examples:');
    });
  }, 300_000);
});

describe('latentkit train image', () => {
  it('--shift saves the augmentation in the model config; a bad --shift is a one-line error', async () => {
    const out = join(dir, 'shifted-model');
    const r = await runLatentkit(['train', 'image', '--count', '48', '--epochs', '1', '--latent-dim', '4', '--shift', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'latentkit.json'), 'utf8')) as { config: { augment: unknown } };
    expect(config.config.augment).toEqual({ shift: 2 });
    expectOneLineError(await runLatentkit(['train', 'image', '--count', '48', '--shift', '-1', '--out', join(dir, 'bad-shift')]), /shift/);
  });

  it('says on its first line which engine trains; --backend wasm trains on tfjs', async () => {
    const ort = await runLatentkit(['train', 'image', '--count', '32', '--epochs', '1', '--latent-dim', '4', '--out', join(dir, 'ort-model')]);
    expect(ort.code, ort.stderr).toBe(0);
    expect(ort.stderr.split('\n')[0]).toMatch(/^backend: ort \(training on onnxruntime-node /);
    const saved = JSON.parse(await readFile(join(dir, 'ort-model', 'latentkit.json'), 'utf8')) as { training: { backend: string } };
    expect(saved.training.backend).toBe('ort');
    const wasm = await runLatentkit(['train', 'image', '--count', '32', '--epochs', '1', '--latent-dim', '4', '--backend', 'wasm', '--out', join(dir, 'wasm-model')]);
    expect(wasm.code, wasm.stderr).toBe(0);
    expect(wasm.stderr.split('\n')[0]).toMatch(/^backend: wasm \(forced\)/);
  });

  it('--threads sets how the onnxruntime steps use the cores, and the saved line says how they ran; a bad value is a one-line error', async () => {
    for (const [threads, said] of [['1', 'steps on 1 thread)'], ['split', 'steps on split halves on 2 threads)']]) {
      const r = await runLatentkit(['train', 'image', '--count', '64', '--epochs', '1', '--batch-size', '16', '--latent-dim', '4', '--threads', threads, '--out', join(dir, `threads-${threads}`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(said);
    }
    expectOneLineError(await runLatentkit(['train', 'image', '--count', '32', '--threads', '0', '--out', join(dir, 'threads-0')]), /--threads must be auto, split, spin or a whole number of threads from 1 to 256, got '0'/);
  });
});

describe('latentkit encode', () => {
  it('encode text writes an [n, d] float32 .npy, one row per line, in order: the meaning code by default, --part all the decoder code', async () => {
    const { SentenceAutoencoder } = await import('@latentkit/text');
    const sentences = ['the cat sat on the mat', 'a dog runs', 'the cat sat on the mat', 'seven apples'];
    await writeFile(join(dir, 's.txt'), `${sentences[0]}\n${sentences[1]}\n${sentences[2]}\r\n${sentences[3]}`);
    const r = await runLatentkit(['encode', 'text', '--part', 'all', '--in', join(dir, 's.txt'), '--out', join(dir, 's.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const npy = await readFloat32Npy(join(dir, 's.npy'));
    const model = await SentenceAutoencoder.loadDefault();
    const expected = stackLatents(await model.encode(sentences));
    model.dispose();
    expect(npy.shape).toEqual(expected.shape);
    expect(closeRows(npy.data, expected.data)).toBe(true);
    const d = npy.shape[1];
    expect(npy.data.subarray(0, d)).toEqual(npy.data.subarray(2 * d, 3 * d)); // same sentence, same row
    // A .json name writes the same latents as JSON.
    const j = await runLatentkit(['encode', 'text', '--part', 'all', '--in', join(dir, 's.txt'), '--out', join(dir, 's.json')]);
    expect(j.code, j.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { shape: number[]; data: number[] }[];
    expect(json).toHaveLength(4);
    expect(json[1].shape).toEqual([d]);
    expect(closeRows(Float32Array.from(json[1].data), npy.data.subarray(d, 2 * d))).toBe(true);
    // No --part: the meaning code, what sentences are compared by.
    const m = await runLatentkit(['encode', 'text', '--in', join(dir, 's.txt'), '--out', join(dir, 'm.npy')]);
    expect(m.code, m.stderr).toBe(0);
    const meaning = await readFloat32Npy(join(dir, 'm.npy'));
    expect(meaning.shape).toEqual([4, expected.parts!.meaning.shape[1]]);
    expect(closeRows(meaning.data, expected.parts!.meaning.data)).toBe(true);
    const bad = await runLatentkit(['encode', 'text', '--part', 'speaker', '--in', join(dir, 's.txt'), '--out', join(dir, 'x.npy')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--part speaker applies to audio only/);
  });

  it('encode image reads a folder of PNGs in name order (numbers numerically)', async () => {
    const { ConvImageAutoencoder, syntheticGlyphs, writePng, readImage } = await import('@latentkit/image');
    const model = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 6, filters: [4, 8] });
    await model.save(join(dir, 'image-model'));
    const { images } = await syntheticGlyphs({ count: 3, style: 'strokes', seed: 4 });
    await mkdir(join(dir, 'pngs'));
    const names = ['img10.png', 'img2.png', 'img1.png'];
    for (let i = 0; i < 3; i++) await writePng(join(dir, 'pngs', names[i]), images[i]);
    await writeFile(join(dir, 'pngs', 'notes.txt'), 'not an image');
    const r = await runLatentkit(['encode', 'image', '--model', join(dir, 'image-model'), '--in', join(dir, 'pngs'), '--out', join(dir, 'img.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const npy = await readFloat32Npy(join(dir, 'img.npy'));
    expect(npy.shape).toEqual([3, 6]);
    const ordered = await Promise.all(['img1.png', 'img2.png', 'img10.png'].map((n) => readImage(join(dir, 'pngs', n), { width: 28, height: 28, channels: 1 })));
    const expected = stackLatents(await model.encode(ordered));
    model.dispose();
    expect(closeRows(npy.data, expected.data)).toBe(true);
  });

  it('encode audio --part speaker writes one speaker code per WAV', async () => {
    const { SpeechAutoencoder, syntheticSpeechCorpus, writeWav, readWav } = await import('@latentkit/audio');
    const model = SpeechAutoencoder.create({ sampleRate: 16000, channels: 8, speakerDim: 12, normalization: { mean: new Array(64).fill(-5), std: new Array(64).fill(2) } });
    await model.save(join(dir, 'audio-model'));
    const corpus = syntheticSpeechCorpus({ speakers: 3, utterancesPerSpeaker: 1, seed: 2 });
    await mkdir(join(dir, 'wavs'));
    for (let i = 0; i < 3; i++) await writeWav(join(dir, 'wavs', `${corpus[i].speakerName}.wav`), corpus[i].clip);
    const r = await runLatentkit(['encode', 'audio', '--model', join(dir, 'audio-model'), '--part', 'speaker', '--in', join(dir, 'wavs'), '--out', join(dir, 'spk.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const npy = await readFloat32Npy(join(dir, 'spk.npy'));
    expect(npy.shape).toEqual([3, 12]);
    const files = (await readdir(join(dir, 'wavs'))).sort();
    const clips = await Promise.all(files.map((f) => readWav(join(dir, 'wavs', f))));
    const expected = stackLatents((await model.encode(clips)).map((l) => l.parts!.speaker));
    model.dispose();
    expect(closeRows(npy.data, expected.data, 1e-3)).toBe(true);
  });
});

describe('latentkit compare', () => {
  it('prints CKA 1 and mutual kNN 1 for a file against itself, and writes JSON', async () => {
    const { encodeNpy } = await import('@latentkit/core');
    const rows = 30;
    const data = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(i * 1.7) + (i % 4));
    await writeFile(join(dir, 'a.npy'), encodeNpy({ data, rows, cols: 4 }));
    const r = await runLatentkit(['compare', join(dir, 'a.npy'), join(dir, 'a.npy'), '--json', join(dir, 'cmp', 'result.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/linear CKA\s+1\.0000/);
    expect(r.stdout).toMatch(/mutual kNN\s+1\.0000 \(k=10\)/);
    const json = JSON.parse(await readFile(join(dir, 'cmp', 'result.json'), 'utf8'));
    expect(json.linear_cka).toBeCloseTo(1, 5);
    expect(json.k).toBe(10);
  });
});

describe('latentkit errors', () => {
  it('exits non-zero with a one-line error and a hint, no stack trace', async () => {
    await writeFile(join(dir, 'broken.png'), 'this is not a png');
    await writeFile(join(dir, 'empty.txt'), '\n  \n');
    await writeFile(join(dir, 'bad.npy'), 'nope');
    const [missingModel, badPng, emptyText, badNpy, usage] = await Promise.all([
      runLatentkit(['reconstruct', '--model', join(dir, 'no-such-model'), '--in', join(dir, 'broken.png'), '--out', join(dir, 'r')]),
      runLatentkit(['encode', 'image', '--model', join(dir, 'image-model'), '--in', join(dir, 'broken.png'), '--out', join(dir, 'b.npy')]),
      runLatentkit(['encode', 'text', '--pretrained', 'tiny', '--in', join(dir, 'empty.txt'), '--out', join(dir, 'e.npy')]),
      runLatentkit(['compare', join(dir, 'bad.npy'), join(dir, 'bad.npy')]),
      runLatentkit(['encode', 'text']),
    ]);
    expectOneLineError(missingModel, /no-such-model/);
    expectOneLineError(badPng, /broken\.png/);
    expectOneLineError(emptyText, /empty\.txt/);
    expectOneLineError(badNpy, /bad\.npy/);
    expectOneLineError(usage, /Missing required argument/);
    expect(usage.code).toBe(2);
    const verbose = await runLatentkit(['compare', join(dir, 'bad.npy'), join(dir, 'bad.npy'), '--verbose']);
    expect(verbose.code).not.toBe(0);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('latentkit output confinement', () => {
  it('refuses --out escapes of --out-root, links that lead out, and overwriting an input', async () => {
    const root = join(dir, 'root');
    const outside = join(dir, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await symlink(outside, join(root, 'link'));
    await writeFile(join(dir, 'in.txt'), 'one sentence\nanother one\n');
    const input = join(dir, 'in.txt');
    const [escape, viaLink, overwrite, ok] = await Promise.all([
      runLatentkit(['encode', 'text', '--pretrained', 'tiny', '--in', input, '--out-root', root, '--out', '../x.npy']),
      runLatentkit(['encode', 'text', '--pretrained', 'tiny', '--in', input, '--out-root', root, '--out', 'link/x.npy']),
      runLatentkit(['encode', 'text', '--pretrained', 'tiny', '--in', input, '--out', input]),
      runLatentkit(['encode', 'text', '--pretrained', 'tiny', '--in', input, '--out-root', root, '--out', 'inside/x.npy']),
    ]);
    expectOneLineError(escape, /leads out of the output root/);
    expectOneLineError(viaLink, /symbolic link/);
    expectOneLineError(overwrite, /never overwrites its inputs/);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readFloat32Npy(join(root, 'inside', 'x.npy'))).shape).toEqual([2, 64]);
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(dir)).not.toContain('x.npy');
    expect(await readFile(input, 'utf8')).toBe('one sentence\nanother one\n');
  });
});
