import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng, parseRowsCsv, RidgeMap, ShapeMismatchError } from '@latentkit/core';
import { LatentStore, loadLatentMap, StoreMismatchError, StoreNotFoundError, type SearchHit } from './index.js';
import { clusteredCodes, exactCosineKnn } from './testing/clustered.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lk-store-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const rowsOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ source: `${tag}/${i}.png`, label: String(i % 10) }));
const ids = (hits: SearchHit[]) => hits.map((h) => h.id);
function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return 1 - dot / Math.sqrt(na * nb);
}

describe('LatentStore', () => {
  it('searches a small space exactly, and keeps each row manifest with its code', async () => {
    const dir = await tempDir();
    const dim = 8;
    const { data } = clusteredCodes(600, dim, 6, 3);
    const manifest = parseRowsCsv(
      'row,source,label,text,line\n' + Array.from({ length: 600 }, (_, i) => `${i},s${i}.txt:${i + 1},c${i % 3},"sentence, ${i}",${i + 1}`).join('\n') + '\n',
    );
    const store = await LatentStore.open(dir);
    // Two adds: ids continue across them.
    const first = await store.add({ data: data.subarray(0, 400 * dim), rows: 400, cols: dim }, { ...manifest, length: 400, source: manifest.source.slice(0, 400), label: manifest.label.slice(0, 400), text: manifest.text!.slice(0, 400), line: manifest.line!.slice(0, 400) }, { modality: 'text', modelId: 'abc' });
    const second = await store.add({ data: data.subarray(400 * dim), rows: 200, cols: dim }, Array.from({ length: 200 }, (_, i) => ({ source: `s${400 + i}.txt:${401 + i}`, label: `c${(400 + i) % 3}`, text: `sentence, ${400 + i}`, line: 401 + i })), { modality: 'text', modelId: 'abc' });
    expect(first).toEqual({ firstId: 0, added: 400, total: 400, indexed: false });
    expect(second).toEqual({ firstId: 400, added: 200, total: 600, indexed: false });
    store.close();

    const again = await LatentStore.open(dir, { mustExist: true });
    const rand = createRng(9);
    for (let t = 0; t < 5; t++) {
      const q = Float32Array.from({ length: dim }, () => rand() * 4 - 2);
      const hits = await again.search({ modality: 'text', vector: q }, { k: 10 });
      expect(ids(hits)).toEqual(exactCosineKnn(data, dim, q, 10));
      for (let i = 1; i < hits.length; i++) expect(hits[i].distance).toBeGreaterThanOrEqual(hits[i - 1].distance);
      // Distances are 1 - cos, whatever LanceDB computes them with.
      for (const h of hits) expect(h.distance).toBeCloseTo(cosineDistance(data.subarray(h.id * dim, (h.id + 1) * dim), q), 5);
    }
    const [self, ...rest] = await again.search({ row: 437 }, { k: 3 });
    expect(self).toMatchObject({ id: 437, source: 's437.txt:438', line: 438, label: 'c2', text: 'sentence, 437', modality: 'text', modelId: 'abc' });
    expect(self.distance).toBeLessThan(1e-6);
    expect(rest).toHaveLength(2);
    expect(await again.info()).toEqual([expect.objectContaining({ modality: 'text', rows: 600, dim, metric: 'cosine', indexed: false })]);
    again.close();
  });

  it('builds an approximate index for a large space whose results agree with exact search', async () => {
    const dir = await tempDir();
    const dim = 16;
    const n = 20_000;
    const { data } = clusteredCodes(n, dim, 40, 5);
    const store = await LatentStore.open(dir);
    const added = await store.add({ data, rows: n, cols: dim }, rowsOf(n, 'x'), { modality: 'image', modelId: 'm', indexMinRows: 5_000 });
    expect(added.indexed).toBe(true);
    const rand = createRng(11);
    let found = 0;
    let exactFound = 0;
    const queries = 20;
    for (let t = 0; t < queries; t++) {
      const id = Math.floor(rand() * n);
      const q = Float32Array.from(data.subarray(id * dim, (id + 1) * dim), (v) => v + (rand() - 0.5) * 0.2);
      const truth = new Set(exactCosineKnn(data, dim, q, 10));
      found += ids(await store.search({ modality: 'image', vector: q }, { k: 10 })).filter((i) => truth.has(i)).length;
      exactFound += ids(await store.search({ modality: 'image', vector: q }, { k: 10, exact: true })).filter((i) => truth.has(i)).length;
    }
    expect(exactFound).toBe(queries * 10);
    // Approximate: most, usually all, true neighbours (the bench measures recall at 1M rows).
    expect(found / (queries * 10)).toBeGreaterThan(0.9);
    // Probing a single partition must lose neighbours, or the index is not being used.
    let oneProbe = 0;
    for (let t = 0; t < queries; t++) {
      const q = Float32Array.from({ length: dim }, () => rand() * 4 - 2);
      const truth = new Set(exactCosineKnn(data, dim, q, 10));
      oneProbe += ids(await store.search({ modality: 'image', vector: q }, { k: 10, nprobes: 1 })).filter((i) => truth.has(i)).length;
    }
    expect(oneProbe).toBeLessThan(queries * 10);
    expect((await store.info())[0].indexed).toBe(true);
    store.close();
  });

  it('searches across modalities through a saved map', async () => {
    const dir = await tempDir();
    // "image" codes are a fixed linear function of "text" codes plus a little noise.
    const n = 300;
    const { data: text } = clusteredCodes(n, 6, 5, 21);
    const rand = createRng(4);
    const w = Float32Array.from({ length: 6 * 4 }, () => rand() - 0.5);
    const image = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) for (let j = 0; j < 4; j++) {
      let s = 0.5;
      for (let k = 0; k < 6; k++) s += text[i * 6 + k] * w[k * 4 + j];
      image[i * 4 + j] = s + (rand() - 0.5) * 0.01;
    }
    const map = await RidgeMap.fit({ data: text, rows: n, cols: 6 }, { data: image, rows: n, cols: 4 });
    const mapFile = join(dir, 'text-to-image.json');
    await writeFile(mapFile, JSON.stringify(map));
    const store = await LatentStore.open(join(dir, 'db'));
    await store.add({ data: text, rows: n, cols: 6 }, rowsOf(n, 'text'), { modality: 'text', modelId: 't' });
    await store.add({ data: image, rows: n, cols: 4 }, rowsOf(n, 'image'), { modality: 'image', modelId: 'i' });
    const loaded = await loadLatentMap(mapFile);
    let top1 = 0;
    for (let i = 0; i < 50; i++) {
      const [hit] = await store.search({ modality: 'text', row: i }, { k: 1, across: 'image', map: loaded });
      expect(hit.modality).toBe('image');
      if (hit.id === i) top1++;
    }
    expect(top1).toBeGreaterThan(40);
    await expect(store.search({ modality: 'text', row: 0 }, { across: 'image' })).rejects.toThrow(/needs a map/);
    await expect(store.search({ modality: 'image', row: 0 }, { across: 'text', map: loaded })).rejects.toThrow(StoreMismatchError);
    store.close();
  });

  it('refuses codes that do not belong, naming the problem, and leaves the store as it was', async () => {
    const dir = await tempDir();
    const store = await LatentStore.open(dir);
    const codes = { data: new Float32Array(40).fill(1), rows: 10, cols: 4 };
    await store.add(codes, rowsOf(10, 'a'), { modality: 'image', modelId: 'm1' });
    await expect(store.add(codes, rowsOf(9, 'a'), { modality: 'image', modelId: 'm1' })).rejects.toThrow(ShapeMismatchError);
    await expect(store.add({ data: new Float32Array(50), rows: 10, cols: 5 }, rowsOf(10, 'a'), { modality: 'image', modelId: 'm1' })).rejects.toThrow(/have 4 values, these have 5/);
    await expect(store.add(codes, rowsOf(10, 'a'), { modality: 'image', modelId: 'm2' })).rejects.toThrow(/not comparable/);
    const nan = { data: new Float32Array(40).fill(Number.NaN), rows: 10, cols: 4 };
    await expect(store.add(nan, rowsOf(10, 'a'), { modality: 'image', modelId: 'm1' })).rejects.toThrow(/non-finite/);
    await expect(store.add(codes, rowsOf(10, 'a'), { modality: 'Bad Name', modelId: 'm1' })).rejects.toThrow(/not a modality name/);
    await expect(store.search({ modality: 'image', vector: [1, 2, 3] })).rejects.toThrow(/3 values/);
    await expect(store.search({ modality: 'image', vector: [0, 0, 0, 0] })).rejects.toThrow(/all zeros/);
    await expect(store.search({ modality: 'audio', vector: [1, 2, 3, 4] })).rejects.toThrow(/no audio codes/);
    await expect(store.search({ row: 10 })).rejects.toThrow(/rows 0 to 9/);
    expect((await store.info())[0].rows).toBe(10);
    store.close();
    await expect(LatentStore.open(join(dir, 'nothing'), { mustExist: true })).rejects.toThrow(StoreNotFoundError);
  });

  it('keeps the last complete version readable when an ingest is killed (SIGKILL)', async () => {
    const dir = await tempDir();
    const child = resolve(import.meta.dirname, 'testing', 'ingest-child.ts');
    const big = 200_000;
    const rand = createRng(Date.now() & 0xffff);
    let before = 0;
    const outcomes: string[] = [];
    for (let round = 0; round < 3; round++) {
      const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, dir, String(big)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      await new Promise<void>((res, rej) => {
        p.stdout.on('data', (d) => {
          out += d;
          if (out.includes('adding')) res();
        });
        p.on('exit', () => rej(new Error(`child exited early: ${err.slice(-1500)}`)));
      });
      await new Promise((r) => setTimeout(r, rand() * 1500));
      p.kill('SIGKILL');
      await exited;
      const store = await LatentStore.open(dir, { mustExist: true });
      const [{ rows }] = await store.info();
      // Either the big add committed whole or not at all; never a part of it.
      expect([before + 100, before + 100 + big]).toContain(rows);
      outcomes.push(rows === before + 100 ? 'killed mid-add' : 'committed');
      const [hit] = await store.search({ modality: 'image', row: rows - 1 }, { k: 1 });
      // Each round's small batch repeats the same codes, so the hit may be an earlier copy.
      expect(hit.distance).toBeLessThan(1e-6);
      expect(await store.vector('image', rows - 1)).toHaveLength(16);
      before = rows;
      store.close();
    }
    // The dead writers' locks were taken over: a new add succeeds.
    const store = await LatentStore.open(dir);
    await store.add({ data: new Float32Array(16).fill(0.5), rows: 1, cols: 16 }, rowsOf(1, 'after'), { modality: 'image', modelId: 'm1', index: false });
    expect((await store.info())[0].rows).toBe(before + 1);
    store.close();
    expect(outcomes).toContain('killed mid-add');
    expect((await readdir(dir)).filter((f) => f.startsWith('.') && f !== '.write.lock')).toEqual([]);
  }, 240_000);
});
