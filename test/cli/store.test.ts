/**
 * @file `latentkit index add|info` and `latentkit search` on real code files: an image query
 * encoded with the stored model finds its own row, a stored row finds itself, a sentence is
 * searched across into image codes through a saved RidgeMap, and mistakes get one-line errors.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, formatRowsCsv, RidgeMap } from '@latentkit/core';
import { readFile } from 'node:fs/promises';
import { runLatentkit } from './run-cli.js';

let dir: string;
const N = 40;
const SENTENCES = Array.from({ length: N }, (_, i) => `sentence number ${i} is about ${['cats', 'boats', 'rain', 'music'][i % 4]}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-cli-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codes(file: string): Promise<{ data: Float32Array; rows: number; cols: number }> {
  const npy = decodeNpy(new Uint8Array(await readFile(file)));
  return { data: npy.data as Float32Array, rows: npy.shape[0], cols: npy.shape[1] };
}

describe('latentkit index and search', () => {
  it('stores image and text codes, searches by file, row and sentence, across through a map', async () => {
    const { ConvImageAutoencoder, syntheticGlyphs, writePng } = await import('@latentkit/image');
    const model = join(dir, 'model');
    const m = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 6, filters: [4, 8] });
    await m.save(model);
    m.dispose();
    const pngs = join(dir, 'pngs');
    await mkdir(pngs);
    const { images } = await syntheticGlyphs({ count: N, style: 'strokes', seed: 5 });
    const files = images.map((_, i) => join(pngs, `g${String(i).padStart(2, '0')}.png`));
    for (let i = 0; i < N; i++) await writePng(files[i], images[i]);
    const db = join(dir, 'codes.db');

    const enc = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', join(dir, 'img.npy')], { timeoutMs: 120_000 });
    expect(enc.code, enc.stderr).toBe(0);
    // encode wrote img.rows.csv beside the codes; index add reads it from there.
    const add = await runLatentkit(['index', 'add', '--db', db, '--codes', join(dir, 'img.npy'), '--model', model]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/added 40 image codes of 6 .*ids 0-39, 40 in all, exact search/);

    // An image file as the query: encoded with the stored model, it finds its own row.
    const byFile = await runLatentkit(['search', '--db', db, '--query', files[7], '--k', '3', '--json'], { timeoutMs: 120_000 });
    expect(byFile.code, byFile.stderr).toBe(0);
    const hits = JSON.parse(byFile.stdout) as { id: number; source: string; label: string; distance: number }[];
    expect(hits).toHaveLength(3);
    expect(hits[0]).toMatchObject({ source: files[7], modality: 'image' });
    expect(hits[0].distance).toBeLessThan(1e-4);

    // Text codes from the shipped sentence model, in the same store.
    await writeFile(join(dir, 's.txt'), SENTENCES.join('\n') + '\n');
    const encText = await runLatentkit(['encode', 'text', '--in', join(dir, 's.txt'), '--out', join(dir, 's.npy')], { timeoutMs: 120_000 });
    expect(encText.code, encText.stderr).toBe(0);
    const addText = await runLatentkit(['index', 'add', '--db', db, '--codes', join(dir, 's.npy'), '--modality', 'text'], { timeoutMs: 120_000 });
    expect(addText.code, addText.stderr).toBe(0);
    const info = await runLatentkit(['index', 'info', '--db', db]);
    expect(info.stdout).toMatch(/^image: 40 codes of 6 \(cosine, exact search\)/m);
    expect(info.stdout).toMatch(/^text: 40 codes of \d+ .*model text:default-model, part meaning/m);

    // A sentence as the query, searched in the image codes through a map fitted on the pairs.
    const map = await RidgeMap.fit(await codes(join(dir, 's.npy')), await codes(join(dir, 'img.npy')), { lambda: 1e-2 });
    await writeFile(join(dir, 'text-to-image.json'), JSON.stringify(map));
    const across = await runLatentkit(['search', '--db', db, '--query', SENTENCES[2], '--across', 'image', '--map', join(dir, 'text-to-image.json'), '--k', '5'], { timeoutMs: 120_000 });
    expect(across.code, across.stderr).toBe(0);
    const lines = across.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^rank\s+distance\s+id\s+label\s+source/);
    expect(lines).toHaveLength(6);
    expect(lines.slice(1).every((l) => l.includes(pngs))).toBe(true);

    // A stored row finds itself; the text row shows its sentence.
    const byRow = await runLatentkit(['search', '--db', db, '--row', '4', '--modality', 'text', '--k', '1']);
    expect(byRow.code, byRow.stderr).toBe(0);
    expect(byRow.stdout).toMatch(/^1\s+0\.0000\s+4\s+-\s+\S*s\.txt:5\s+"sentence number 4 is about cats"$/m);
  }, 300_000);

  it('names the mistake in one line: no store, no such row, a short manifest, a file that is not a map', async () => {
    const none = await runLatentkit(['search', '--db', join(dir, 'nothing'), '--row', '0']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^latentkit: .*nothing: no such folder/m);
    const db = join(dir, 'small.db');
    const npy = join(dir, 'small.npy');
    const { encodeNpy } = await import('@latentkit/core');
    await writeFile(npy, encodeNpy({ data: Float32Array.from({ length: 12 }, (_, i) => i + 1), rows: 3, cols: 4 }));
    await writeFile(join(dir, 'small.rows.csv'), formatRowsCsv([{ source: 'a' }, { source: 'b' }, { source: 'c' }]));
    expect((await runLatentkit(['index', 'add', '--db', db, '--codes', npy, '--modality', 'image'])).code).toBe(0);
    const row = await runLatentkit(['search', '--db', db, '--row', '3']);
    expect(row.stderr).toMatch(/Row 3 is not in the image codes \(rows 0 to 2\)/);
    await writeFile(join(dir, 'bad-rows.csv'), formatRowsCsv([{ source: 'a' }]));
    const short = await runLatentkit(['index', 'add', '--db', db, '--codes', npy, '--rows', join(dir, 'bad-rows.csv'), '--modality', 'image']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/1 rows, but the codes have 3/);
    const notMap = join(dir, 'not-a-map.json');
    await writeFile(notMap, '{"kind":"something"}');
    const badMap = await runLatentkit(['search', '--db', db, '--row', '0', '--across', 'image', '--map', notMap]);
    expect(badMap.stderr).toMatch(/a map file is 'latentkit\/ridge-map' or 'latentkit\/mlp-map'/);
  }, 300_000);
});
