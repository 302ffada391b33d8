/**
 * @file Distributed encoding end to end through the CLI, on a real redis-server started for
 * the test (127.0.0.1, free port, no persistence): two workers, a worker killed with SIGKILL
 * mid-run, and `--shard k/N` joined by `collect`, each compared row for row with a
 * single-process `encode`; then the joined codes go into a store and are searched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, parseRowsCsv } from '@latentkit/core';
import { startRedis, type RedisServer } from '@latentkit/queue';
import { REPO, runLatentkit } from '../cli/run-cli.js';

const BIN = resolve(REPO, 'packages', 'cli', 'src', 'bin.ts');
const IMAGES = 600;
let redis: RedisServer;
let dir: string;
let model: string;
let pngs: string;
let reference: { data: Float32Array; shape: number[] };

function startWorker(queue: string): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'worker', '--queue', queue, '--model', model, '--exit-when-idle'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, log: () => log, exited };
}

async function readCodes(file: string) {
  const npy = decodeNpy(new Uint8Array(await readFile(file)));
  return { data: npy.data as Float32Array, shape: npy.shape };
}

async function expectSameAsReference(file: string): Promise<void> {
  const got = await readCodes(file);
  expect(got.shape).toEqual(reference.shape);
  // Bit for bit: jobs and shards start on whole batches, so every batch matches encode's.
  expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(reference.data.buffer, reference.data.byteOffset, reference.data.byteLength))).toBe(true);
  // The joined manifest is the one `encode` writes beside its codes, byte for byte.
  const rowsText = await readFile(file.replace(/\.npy$/, '.rows.csv'), 'utf8');
  expect(rowsText).toBe(await readFile(join(dir, 'reference.rows.csv'), 'utf8'));
  const rows = parseRowsCsv(rowsText, { expectedRows: IMAGES });
  expect(rows.source[IMAGES - 1]).toBe(join(pngs, `g${IMAGES - 1}.png`));
}

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'lk-queue-'));
  const { ConvImageAutoencoder, syntheticGlyphs, writePng } = await import('@latentkit/image');
  const m = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 6, filters: [4, 8] });
  model = join(dir, 'model');
  await m.save(model);
  m.dispose();
  pngs = join(dir, 'pngs');
  await mkdir(pngs);
  const { images } = await syntheticGlyphs({ count: IMAGES, style: 'strokes', seed: 3 });
  for (let i = 0; i < IMAGES; i++) await writePng(join(pngs, `g${i}.png`), images[i]);
  const r = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', join(dir, 'reference.npy')], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  reference = await readCodes(join(dir, 'reference.npy'));
  expect(reference.shape).toEqual([IMAGES, 6]);
});

afterAll(async () => {
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('encode --queue, worker, collect', () => {
  it('two workers encode row for row what one process encodes', async () => {
    const queue = redis.url('two');
    const out = join(dir, 'two.npy');
    const sub = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', out, '--queue', queue, '--job-size', '100'], { timeoutMs: 120_000 });
    expect(sub.code, sub.stderr).toBe(0);
    // --job-size rounds to whole batches of 256: 600 images in 3 jobs.
    expect(sub.stdout).toMatch(/600 images in 3 jobs \(3 to encode, 0 already done\)/);
    const workers = [startWorker(queue), startWorker(queue)];
    const col = await runLatentkit(['collect', '--queue', queue, '--timeout', '240'], { timeoutMs: 300_000 });
    expect(col.code, col.stderr).toBe(0);
    for (const w of workers) expect(await w.exited, w.log()).toBe(0);
    await expectSameAsReference(out);
    // Both workers took part, and the shards were cleaned up after joining.
    const jobs = workers.map((w) => (w.log().match(/^job \d+: .* encoded$/gm) ?? []).length);
    expect(jobs.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await readdir(dir)).not.toContain('two.npy.shards');
    // A run submitted again while its shards remain (not collected yet) encodes nothing twice.
    const again = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', join(dir, 'kept.npy'), '--queue', redis.url('kept'), '--job-size', '256'], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    const w = startWorker(redis.url('kept'));
    expect(await w.exited, w.log()).toBe(0);
    const resubmit = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', join(dir, 'kept.npy'), '--queue', redis.url('kept'), '--job-size', '256'], { timeoutMs: 120_000 });
    expect(resubmit.stdout).toMatch(/\(0 to encode, 3 already done\)/);
  }, 420_000);

  it('a worker killed with SIGKILL mid-run still yields identical codes (its job is retried)', async () => {
    const queue = redis.url('killed');
    const out = join(dir, 'killed.npy');
    const sub = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', out, '--queue', queue, '--job-size', '256'], { timeoutMs: 120_000 });
    expect(sub.code, sub.stderr).toBe(0);
    const victim = startWorker(queue);
    // Killed as soon as it has finished one job, while it holds the next.
    await new Promise<void>((res, rej) => {
      const timer = setInterval(() => {
        if (/^job \d+: .* encoded$/m.test(victim.log())) {
          clearInterval(timer);
          res();
        } else if (victim.child.exitCode !== null) {
          clearInterval(timer);
          rej(new Error(`worker exited first: ${victim.log()}`));
        }
      }, 20);
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    const rescuer = startWorker(queue);
    const col = await runLatentkit(['collect', '--queue', queue, '--timeout', '240'], { timeoutMs: 300_000 });
    expect(col.code, col.stderr).toBe(0);
    expect(await rescuer.exited, rescuer.log()).toBe(0);
    await expectSameAsReference(out);
  }, 420_000);

  it('encode --shard k/N and collect --shards N give the same codes; --db stores them for search', async () => {
    const out = join(dir, 'sharded.npy');
    for (let k = 0; k < 3; k++) {
      const r = await runLatentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', out, '--shard', `${k}/3`], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
    }
    const missing = await runLatentkit(['collect', '--shards', '4', '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/shard-0-of-4.json: missing/);
    const db = join(dir, 'codes.db');
    const col = await runLatentkit(['collect', '--shards', '3', '--out', out, '--db', db], { timeoutMs: 120_000 });
    expect(col.code, col.stderr).toBe(0);
    await expectSameAsReference(out);
    expect(col.stdout).toMatch(/added 600 image codes/);
    const byRow = await runLatentkit(['search', '--db', db, '--row', '5', '--k', '3', '--json']);
    expect(byRow.code, byRow.stderr).toBe(0);
    const hits = JSON.parse(byRow.stdout) as { id: number; source: string; distance: number }[];
    expect(hits).toHaveLength(3);
    expect(hits[0].distance).toBeLessThan(1e-5);
    expect(reference.data.subarray(hits[0].id * 6, hits[0].id * 6 + 6)).toEqual(reference.data.subarray(5 * 6, 6 * 6));
  }, 420_000);
});
