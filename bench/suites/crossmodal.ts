/**
 * @file `npm run bench -- crossmodal [--quick] [--json file]`: "say a digit, see an image".
 * FSDD clips of speakers the map never heard are turned into images (audio code -> MlpMap ->
 * MNIST image decoder) and read by an independent MNIST judge; plus linear CKA and mutual kNN
 * between image, audio and text codes paired by digit. The speech autoencoder (no labels)
 * hears other clips of the held-out voices; a second run, under `strict`, repeats the
 * experiment with a speech model that never heard those voices (skipped with --quick).
 * Needs MNIST and FSDD in the data folder (LATENTKIT_DATA, default ../shared/data).
 */
import { resolve } from 'node:path';
import { writeFileAtomic } from '@latentkit/core';
import { runDigitsExperiment } from '../crossmodal/digits.js';
import { makeGrid } from '@latentkit/image';
import { numberArg, requireData, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const suite: BenchSuite = {
  name: 'crossmodal',
  description: 'spoken digits (FSDD, held-out speakers) -> MNIST images, judged by a pixel classifier; CKA and mutual kNN across modalities',
  async run(ctx: BenchContext) {
    requireData(ctx.dataDir, 'mnist');
    requireData(ctx.dataDir, 'fsdd');
    const map = ctx.args.map === 'ridge' ? 'ridge' : 'mlp';
    // Sweeps: --speech-options '<json>' (SpeechAutoencoderOptions merged into the speech model),
    // --held-out a,b (other FSDD speakers held out), --seed n (all models and the map),
    // --speech-models n (speech autoencoders in the ensemble), --strict-run false (skip the second run).
    const heldOut = typeof ctx.args['held-out'] === 'string' ? ctx.args['held-out'].split(',') : undefined;
    const seed = numberArg(ctx.args, 'seed');
    const speechModels = numberArg(ctx.args, 'speech-models');
    const options = {
      dataDir: ctx.dataDir,
      quick: ctx.quick,
      map,
      ...(heldOut && { heldOutSpeakers: heldOut }),
      ...(seed !== undefined && { seed }),
      ...(speechModels !== undefined && { speechModels }),
      log: ctx.log,
      progress: { stream: process.stderr },
      ...(typeof ctx.args['speech-options'] === 'string' ? { speechOptions: JSON.parse(ctx.args['speech-options']) } : {}),
    } as const;
    const r = await runDigitsExperiment(options);
    let strict: Pick<typeof r, 'audio_to_image_digit_accuracy' | 'per_speaker_accuracy' | 'audio_code_probe_accuracy' | 'seconds'> | undefined;
    if (!ctx.quick && String(ctx.args['strict-run']) !== 'false') {
      ctx.log('\nagain, with a speech model that never heard the held-out voices:');
      const s = await runDigitsExperiment({ ...options, speechHearsHeldOut: false });
      strict = { audio_to_image_digit_accuracy: s.audio_to_image_digit_accuracy, per_speaker_accuracy: s.per_speaker_accuracy, audio_code_probe_accuracy: s.audio_code_probe_accuracy, seconds: s.seconds };
    }
    ctx.log('');
    ctx.log(formatTable([
      { measure: 'audio -> image digit accuracy (held-out speakers)', value: r.audio_to_image_digit_accuracy, target: 0.9 },
      ...Object.entries(r.per_speaker_accuracy).map(([s, v]) => ({ measure: `  speaker ${s}`, value: v })),
      { measure: 'digit from audio code alone (linear probe)', value: r.audio_code_probe_accuracy },
      ...(strict
        ? [
            { measure: 'same, speech model never heard those voices', value: strict.audio_to_image_digit_accuracy },
            { measure: '  its linear probe', value: strict.audio_code_probe_accuracy },
          ]
        : []),
      { measure: 'judge on MNIST test', value: r.judge.mnist_test_accuracy },
      { measure: 'judge on image-AE reconstructions', value: r.judge.reconstruction_accuracy },
    ]));
    ctx.log('');
    ctx.log(formatTable(Object.keys(r.cka).map((pair) => ({
      pair,
      cka: r.cka[pair],
      'cka (mismatched digits)': r.control.cka[pair],
      'mutual kNN': r.mutual_knn[pair],
      'mutual kNN (mismatched)': r.control.mutual_knn[pair],
    }))));
    const bySpeaker = r.held_out_speakers.map((s) => ({ label: `${s}`, images: r.examples.filter((e) => e.speaker === s).map((e) => e.image) }));
    const grid = resolve(ctx.outDir, 'crossmodal-say-a-digit.png');
    await writeFileAtomic(grid, await makeGrid(bySpeaker));
    ctx.log(`\nheld-out speakers saying 0..9, as images: ${grid}`);
    const { examples: _examples, ...json } = r;
    return strict ? { ...json, strict } : json;
  },
};

export default suite;
