/**
 * @file Real data (skipped without MNIST and FSDD in the data folder): the quick cross-modal
 * experiment runs end to end, with held-out speakers' clips turned into images the judge reads,
 * and with the speech model's training clips kept out of what is measured.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, resolveDataDir } from '@latentkit/core';
import { listFsdd } from '@latentkit/audio';
import { runDigitsExperiment } from '../../bench/crossmodal/digits.js';

const dataDir = resolveDataDir();
const hasData = existsSync(join(dataDir, 'mnist')) && existsSync(join(dataDir, 'fsdd', 'recordings'));

describe.skipIf(!hasData)('say a digit, see an image (quick, needs LATENTKIT_DATA)', () => {
  it('decodes held-out speakers to images of the spoken digit far above chance, measured only on clips no model heard', async () => {
    const r = await runDigitsExperiment({ dataDir, quick: true, progress: { quiet: true } });
    // Quick mode (a few epochs each) measured 0.80 decoded and 0.79 probe; chance is 0.1, and a
    // broken image or speech model collapses to it.
    expect(r.audio_to_image_digit_accuracy).toBeGreaterThan(0.6);
    expect(r.audio_code_probe_accuracy).toBeGreaterThan(0.6);
    expect(r.judge.reconstruction_accuracy).toBeGreaterThan(0.7);
    expect(r.speech_heard_held_out_voices).toBe(true);
    // Quick mode trains the speech model on every 5th training-split clip; the held-out ones
    // among them are not measured.
    const held = await listFsdd({ dataDir, speakers: ['theo', 'yweweler'] });
    const heard = held.filter((c) => c.split === 'train' && c.index % 5 === 0).length;
    expect(heard).toBeGreaterThan(0);
    expect(r.sizes.fsddHeldOut).toBe(held.length - heard);
    expect(r.sizes.fsddAudioTrain).toBe(3 * heard);
    expect(Object.keys(r.per_speaker_accuracy).sort()).toEqual(['theo', 'yweweler']);
    expect(r.examples).toHaveLength(20);
    for (const e of r.examples) expect([e.image.width, e.image.height]).toEqual([28, 28]);
    for (const v of Object.values(r.cka)) expect(v).toBeGreaterThanOrEqual(0);
  }, 300_000);
});

describe('runDigitsExperiment options', () => {
  it('names unknown held-out speakers and a bad ensemble size before loading or training anything', async () => {
    await expect(runDigitsExperiment({ dataDir: '/nonexistent', heldOutSpeakers: ['theo', 'bob'] })).rejects.toThrow(/heldOutSpeakers .* got \[theo, bob\]/);
    await expect(runDigitsExperiment({ dataDir: '/nonexistent', heldOutSpeakers: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(runDigitsExperiment({ dataDir: '/nonexistent', speechModels: 0 })).rejects.toThrow(/speechModels must be an integer in \[1, 8\], got 0/);
  });
});
