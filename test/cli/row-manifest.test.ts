/**
 * @file Row manifests through the CLI: `encode` writes `<out>.rows.csv` whose rows match its
 * inputs (order, source, class label from the folder layout, FSDD speaker and digit from file
 * names, sentence and line number of text rows); a blank line is refused, not dropped;
 * `decode` checks the manifest beside its codes and carries it to `<out>/rows.csv`;
 * `reconstruct` writes the same rows with the file each was rebuilt to.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRowsCsv, stackLatents } from '@latentkit/core';
import { readFloat32Npy } from './npy-check.js';
import { runLatentkit } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-rows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('row manifests', () => {
  it('encode image: rows in encode order with class labels; decode and reconstruct carry them', async () => {
    const { ConvImageAutoencoder, syntheticGlyphs, writePng, readImage } = await import('@latentkit/image');
    const model = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 5, filters: [4, 8] });
    const modelDir = join(dir, 'image-model');
    await model.save(modelDir);
    const { images } = await syntheticGlyphs({ count: 5, style: 'strokes', seed: 3 });
    // Class folders, names that sort differently as text and as numbers, and a loose file.
    const files = ['digits/seven/img10.png', 'digits/seven/img9.png', 'digits/three/a.png', 'digits/loose.png', 'extra.png'];
    for (let i = 0; i < files.length; i++) {
      await mkdir(join(dir, files[i], '..'), { recursive: true });
      await writePng(join(dir, files[i]), images[i]);
    }
    const r = await runLatentkit(['encode', 'image', '--model', modelDir, '--in', 'extra.png', 'digits', '--out', 'out/img.npy'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*img\.rows\.csv/);
    const rows = parseRowsCsv(await readFile(join(dir, 'out', 'img.rows.csv'), 'utf8'), { expectedRows: 5 });
    // Files as given, then the folder sorted by name (numbers numerically), recursively.
    const order = ['extra.png', 'digits/loose.png', 'digits/seven/img9.png', 'digits/seven/img10.png', 'digits/three/a.png'];
    expect(rows.source).toEqual(order);
    expect(rows.label).toEqual(['', '', 'seven', 'seven', 'three']);
    expect(rows.text).toBeUndefined();
    expect(rows.line).toBeUndefined();
    // Row i of the codes is the input the manifest names.
    const npy = await readFloat32Npy(join(dir, 'out', 'img.npy'));
    const expected = stackLatents(await model.encode(await Promise.all(order.map((f) => readImage(join(dir, f), { width: 28, height: 28, channels: 1 })))));
    model.dispose();
    expect(npy.shape).toEqual([5, 5]);
    npy.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i], 4));

    const [dec, rec] = await Promise.all([
      runLatentkit(['decode', '--model', modelDir, '--in', 'out/img.npy', '--out', 'decoded'], { cwd: dir }),
      runLatentkit(['reconstruct', '--model', modelDir, '--in', 'extra.png', 'digits', '--out', 'rebuilt'], { cwd: dir }),
    ]);
    expect(dec.code, dec.stderr).toBe(0);
    const carried = parseRowsCsv(await readFile(join(dir, 'decoded', 'rows.csv'), 'utf8'), { expectedRows: 5 });
    expect(carried.source).toEqual(order);
    expect(carried.label).toEqual(rows.label);
    for (const f of carried.columns.output) expect((await stat(join(dir, 'decoded', f))).isFile()).toBe(true);
    expect(rec.code, rec.stderr).toBe(0);
    const rebuilt = parseRowsCsv(await readFile(join(dir, 'rebuilt', 'rows.csv'), 'utf8'), { expectedRows: 5 });
    expect(rebuilt.source).toEqual(order);
    expect(rebuilt.label).toEqual(rows.label);
    expect(rebuilt.columns.output[2]).toBe('0002-img9.png');

    // A manifest of another length is refused by decode; --rows none decodes without one.
    await writeFile(join(dir, 'out', 'img.rows.csv'), 'row,source\n0,a.png\n');
    const [short, none] = await Promise.all([
      runLatentkit(['decode', '--model', modelDir, '--in', 'out/img.npy', '--out', 'decoded2'], { cwd: dir }),
      runLatentkit(['decode', '--model', modelDir, '--in', 'out/img.npy', '--out', 'decoded3', '--rows', 'none'], { cwd: dir }),
    ]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/img\.rows\.csv: 1 rows, but the codes have 5/);
    expect(none.code, none.stderr).toBe(0);
    expect(parseRowsCsv(await readFile(join(dir, 'decoded3', 'rows.csv'), 'utf8')).source).toEqual(new Array(5).fill('out/img.npy'));
  }, 240_000);

  it('encode text: one row per line with its sentence and line number; a blank line is refused and nothing is written', async () => {
    await writeFile(join(dir, 'b.txt'), 'a dog runs\r\nthe cat, "sat"\n');
    await writeFile(join(dir, 'a.txt'), 'seven apples\n');
    await writeFile(join(dir, 'gap.txt'), 'one line\n\nthird line\n');
    const [ok, gap] = await Promise.all([
      runLatentkit(['encode', 'text', '--in', 'b.txt', 'a.txt', '--out', 's.npy'], { cwd: dir }),
      runLatentkit(['encode', 'text', '--in', 'gap.txt', '--out', 'gap.npy'], { cwd: dir }),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const rows = parseRowsCsv(await readFile(join(dir, 's.rows.csv'), 'utf8'), { expectedRows: 3 });
    expect(rows.source).toEqual(['b.txt:1', 'b.txt:2', 'a.txt:1']);
    expect(rows.line).toEqual([1, 2, 1]);
    expect(rows.text).toEqual(['a dog runs', 'the cat, "sat"', 'seven apples']);
    expect((await readFloat32Npy(join(dir, 's.npy'))).shape[0]).toBe(3);
    expect(gap.code).not.toBe(0);
    expect(gap.stderr).toMatch(/gap\.txt:2: blank line/);
    await expect(stat(join(dir, 'gap.npy'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dir, 'gap.rows.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);

  it('encode audio: FSDD file names give speaker (label) and digit columns', async () => {
    const { SpeechAutoencoder, syntheticSpeechCorpus, writeWav } = await import('@latentkit/audio');
    const model = SpeechAutoencoder.create({ sampleRate: 16000, channels: 8, speakerDim: 6, normalization: { mean: new Array(64).fill(-5), std: new Array(64).fill(2) } });
    await model.save(join(dir, 'audio-model'));
    model.dispose();
    const corpus = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 1, seed: 1 });
    await mkdir(join(dir, 'data', 'fsdd', 'recordings'), { recursive: true });
    const names = ['7_jackson_3.wav', '0_theo_12.wav'];
    for (let i = 0; i < 2; i++) await writeWav(join(dir, 'data', 'fsdd', 'recordings', names[i]), corpus[i].clip);
    const r = await runLatentkit(['encode', 'audio', '--model', 'audio-model', '--part', 'speaker', '--in', 'data/fsdd', '--out', 'spk.npy'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = parseRowsCsv(await readFile(join(dir, 'spk.rows.csv'), 'utf8'), { expectedRows: 2 });
    expect(rows.source).toEqual(['data/fsdd/recordings/0_theo_12.wav', 'data/fsdd/recordings/7_jackson_3.wav']);
    expect(rows.label).toEqual(['theo', 'jackson']);
    expect(rows.columns.content).toEqual(['zero', 'seven']);
  }, 120_000);
});
