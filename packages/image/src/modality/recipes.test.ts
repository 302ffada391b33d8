import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, spreadSample } from '@latentkit/core';
import { imageTrainingCheck } from './check.js';
import { embeddedGlyphs } from './datasets.js';
import { MIN_OPTIMISER_STEPS, scaledEpochs } from './schedule.js';
import { imageRecipes, trainImageDefault, trainImageDenoising } from './recipes.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
beforeAll(async () => {
  await initEngine();
  dir = await mkdtemp(join(tmpdir(), 'lk-image-recipes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('default epochs scale with the dataset', () => {
  it('raise small datasets to the minimum number of optimiser steps and leave large ones and explicit epochs alone', () => {
    // 500 images, 10% held out: 450 / 64 -> 8 steps an epoch; 10 epochs would be 80 steps.
    const small = scaledEpochs(500, {}, { batchSize: 64, validationSplit: 0.1 }, 10);
    expect(small.stepsPerEpoch).toBe(8);
    expect(small.epochs).toBe(Math.ceil(MIN_OPTIMISER_STEPS / 8));
    expect(small.epochs * small.stepsPerEpoch).toBeGreaterThanOrEqual(MIN_OPTIMISER_STEPS);
    expect(small.note).toMatch(/500 images: 10 epochs would be only 80 optimiser steps/);
    const large = scaledEpochs(60_000, {}, { batchSize: 64, validationSplit: 0.1 }, 10);
    expect(large).toEqual({ epochs: 10, stepsPerEpoch: 844 });
    expect(scaledEpochs(500, { epochs: 3 }, { batchSize: 64 }, 10).epochs).toBe(3);
    // A caller's batch size counts: batch 8 gives 57 steps an epoch.
    expect(scaledEpochs(500, { batchSize: 8 }, { batchSize: 64, validationSplit: 0.1 }, 10).epochs).toBe(Math.ceil(MIN_OPTIMISER_STEPS / 57));
  });

  it('the recipes log the raised count and train that many epochs', async () => {
    const data = await embeddedGlyphs.load({ limit: 24, seed: 1 });
    const lines: string[] = [];
    // 24 images at batch 24, no validation: 1 step an epoch, so epochs = MIN_OPTIMISER_STEPS; cut by the time limit.
    const { model, history } = await trainImageDefault(data, { settings: { arch: 'dense', 'latent-dim': 2 }, fit: { batchSize: 24, validationSplit: 0, timeLimitMs: 1 }, log: (l) => lines.push(l) });
    model.dispose();
    expect(lines.join('\n')).toMatch(new RegExp(`training ${MIN_OPTIMISER_STEPS} epochs \\(${MIN_OPTIMISER_STEPS} steps of 24\\)`));
    expect(history.stoppedByTimeLimit).toBe(true);
  });
});

describe('the collapse check (what `latentkit train` and the demo run)', () => {
  it('flags a deliberately undertrained model and passes a trained one', async () => {
    const data = await embeddedGlyphs.load({ limit: 320, seed: 5 });
    const probe = spreadSample(data.samples, 128);
    const common = { settings: { arch: 'dense', 'latent-dim': 16 } } as const;
    // One step at a tiny learning rate: the outputs are the untrained network's near-constant grey.
    const under = await trainImageDefault(data, { ...common, fit: { epochs: 1, batchSize: 320, learningRate: 1e-6, validationSplit: 0 } });
    const bad = await imageTrainingCheck.run(under.model, probe);
    under.model.dispose();
    expect(bad.status).toBe('collapsed');
    expect(bad.errorRatio).toBeGreaterThan(0.9);
    const trained = await trainImageDefault(data, { ...common, fit: { epochs: 40, batchSize: 32, learningRate: 2e-3, validationSplit: 0 } });
    const good = await imageTrainingCheck.run(trained.model, probe);
    trained.model.dispose();
    expect(good.status).toBe('learned');
    expect(good.errorRatio).toBeLessThan(0.6);
    expect(good.spreadRatio).toBeGreaterThan(0.3);
  }, 240_000);
});

describe('the image recipes', () => {
  it('are default, deep-conv and denoising; denoising starts from --init and refuses a mismatched layout', async () => {
    expect(imageRecipes.map((r) => r.name)).toEqual(['default', 'deep-conv', 'denoising']);
    for (const r of imageRecipes) expect(r.settings.map((s) => s.name)).toEqual(expect.arrayContaining(['size', 'channels', 'latent-dim']));
    const data = await embeddedGlyphs.load({ limit: 16, seed: 2 });
    const ae = await imageRecipes[1].train(data, { settings: { 'latent-dim': 4, filters: ['4', '8'], shift: 0 }, fit: { epochs: 1, batchSize: 16 } });
    expect(ae.model.config).toMatchObject({ kind: 'image/conv-ae', latentDim: 4, filters: [4, 8], corruption: null });
    await ae.model.save(join(dir, 'ae'));
    const weights = ae.model.networks.encoder.getWeights()[0].dataSync().slice();
    ae.model.dispose();
    const dae = await trainImageDenoising(data, { settings: { init: join(dir, 'ae'), noise: 'gaussian:0.3' }, fit: { epochs: 1, batchSize: 16, learningRate: 1e-9 } });
    expect(dae.model.config).toMatchObject({ latentDim: 4, filters: [4, 8], corruption: { type: 'gaussian', amount: 0.3 } });
    // Fine-tuned from the saved weights (a learning rate of 1e-9 leaves them where they were).
    const after = dae.model.networks.encoder.getWeights()[0].dataSync();
    expect(Math.max(...after.map((v, i) => Math.abs(v - weights[i])))).toBeLessThan(1e-5);
    dae.model.dispose();
    await expect(trainImageDenoising(data, { settings: { init: join(dir, 'ae'), 'latent-dim': 8 } })).rejects.toThrow(/come from the --init model/);
    await expect(imageRecipes[1].train(data, { settings: { filters: ['0'] } })).rejects.toThrow(/--filters/);
  }, 120_000);
});
