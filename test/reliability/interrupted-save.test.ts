import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VectorAutoencoder, createRng, initEngine } from '@latentkit/core';
import { kill, startChild, waitForLines } from './child-process.js';

const KILLS = Number(process.env.LATENTKIT_SAVE_KILLS ?? 50);
let root: string | undefined;
afterAll(async () => root && rm(root, { recursive: true, force: true }));

/** Every weight of every network equals one constant k: returns k, or throws on a mix. */
async function generationOf(dir: string): Promise<number> {
  const model = await VectorAutoencoder.load(dir);
  try {
    const values = new Set<number>();
    for (const v of model.variables()) for (const x of await v.data()) values.add(x);
    if (values.size !== 1) throw new Error(`mixed weights: ${[...values].slice(0, 5).join(', ')}`);
    return [...values][0];
  } finally {
    model.dispose();
  }
}

describe('interrupted saves', () => {
  it(`a folder killed mid-save ${KILLS} times always loads as the old or the new model`, async () => {
    await initEngine({ backend: 'wasm' });
    root = await mkdtemp(join(tmpdir(), 'lk-kill-'));
    const dir = join(root, 'model');
    const rng = createRng(2024);
    let last = 0;
    for (let i = 0; i < KILLS; i++) {
      const child = startChild(['save-loop', dir]);
      // Let it complete at least one save over the existing model, then kill at a random moment.
      await waitForLines(child, /^saved /, 1);
      await new Promise((r) => setTimeout(r, rng() * 60));
      await kill(child);
      const k = await generationOf(dir);
      expect(Number.isInteger(k) && k >= 1).toBe(true);
      last = k;
    }
    expect(last).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
