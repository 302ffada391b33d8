/**
 * Several processes saving into one model folder at once, through the library and through the
 * CLI, and writers killed with SIGKILL at random moments among those saves. Every save that
 * returns must leave a folder that loads at that moment; at the end one complete generation is
 * left and nothing else. Sizes: `LATENTKIT_SAVES` (library saves per writer, default 50),
 * `LATENTKIT_CLI_SAVES` (CLI runs per writer, default 5), `LATENTKIT_SAVE_KILLS` (default 50);
 * `npm run bench -- reliability` runs the full sizes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@latentkit/core';
import { runLatentkit } from '../cli/run-cli.js';
import { runConcurrentSaves, runSaveKills, folderState } from './save-stress.js';

const SAVES = Number(process.env.LATENTKIT_SAVES ?? 50);
const CLI_SAVES = Number(process.env.LATENTKIT_CLI_SAVES ?? 5);
const KILLS = Number(process.env.LATENTKIT_SAVE_KILLS ?? 50);

let root: string;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lk-concurrent-'));
});
afterAll(async () => root && rm(root, { recursive: true, force: true }));

describe('concurrent saves into one model folder', () => {
  for (const writers of [2, 4]) {
    it(`library: ${writers} processes x ${SAVES} saves; the folder loads after every save and ends with one generation`, async () => {
      const r = await runConcurrentSaves({ root, writers, saves: SAVES, mode: 'library' });
      expect(r.saveErrors).toEqual([]);
      expect(r.saved).toBe(writers * SAVES);
      expect(r.loadErrors).toEqual([]);
      expect(r.loaded).toBe(writers * SAVES);
      expect(r.loadsAtEnd).toBe(true);
      expect(r.end).toEqual({ generations: 1, strays: [] });
    }, 600_000);
  }

  for (const writers of [2, 4]) {
    it(`CLI: ${writers} processes x ${CLI_SAVES} \`train image --out\` runs; the folder loads after each and ends with one generation`, async () => {
      const r = await runConcurrentSaves({ root, writers, saves: CLI_SAVES, mode: 'cli' });
      expect(r.saveErrors).toEqual([]);
      expect(r.saved).toBe(writers * CLI_SAVES);
      expect(r.loadErrors).toEqual([]);
      expect(r.loadsAtEnd).toBe(true);
      expect(r.end).toEqual({ generations: 1, strays: [] });
    }, 600_000);
  }

  it('two `latentkit train` processes over an existing model: both exit 0 and the folder loads', async () => {
    // The case of the report: two CLI processes retraining one model folder at the same time.
    const dir = join(root, 'two-clis');
    const args = ['train', 'image', '--arch', 'dense', '--count', '16', '--epochs', '1', '--val-split', '0', '--out', dir, '--quiet'];
    expect((await runLatentkit(args, { timeoutMs: 120_000 })).code).toBe(0);
    const runs = await Promise.all([runLatentkit([...args, '--seed', '1'], { timeoutMs: 120_000 }), runLatentkit([...args, '--seed', '2'], { timeoutMs: 120_000 })]);
    expect(runs.map((r) => [r.code, r.stderr.trim()])).toEqual([[0, ''], [0, '']]);
    const { loadAnyModel } = await import('@latentkit/cli');
    (await loadAnyModel(dir, 'image')).dispose();
    expect(await folderState(dir)).toEqual({ generations: 1, strays: [] });
  }, 600_000);

  it(`SIGKILL at ${KILLS} random moments among 2 writers' saves never leaves a folder that fails to load; a later save sweeps the leftovers`, async () => {
    const r = await runSaveKills({ root, writers: 2, kills: KILLS });
    expect(r.failures).toEqual([]);
    expect(r.loaded).toBe(KILLS);
    expect(r.saves).toBeGreaterThan(KILLS);
    expect(r.afterCleanSave).toEqual({ generations: 1, strays: [] });
  }, 900_000);
});
