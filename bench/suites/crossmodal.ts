/**
 * @file `npm run bench -- crossmodal [--quick] [--json file]`: "say a digit, see an image".
 * FSDD clips of speakers that neither the speech model nor the map heard are turned into
 * images (audio code -> MlpMap -> MNIST image decoder) and read by an independent MNIST judge;
 * plus linear CKA and mutual kNN between image, audio and text codes paired by digit.
 * Needs MNIST and FSDD in the data folder (LATENTKIT_DATA, default ../shared/data).
 */
import { resolve } from 'node:path';
import { writeFileAtomic } from '@latentkit/core';
import { runDigitsExperiment } from '@latentkit/cli';
import { makeGrid } from '@latentkit/image';
import { requireData, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const suite: BenchSuite = {
  name: 'crossmodal',
  description: 'spoken digits (FSDD, held-out speakers) -> MNIST images, judged by a pixel classifier; CKA and mutual kNN across modalities',
  async run(ctx: BenchContext) {
    requireData(ctx.dataDir, 'mnist');
    requireData(ctx.dataDir, 'fsdd');
    const map = ctx.args.map === 'ridge' ? 'ridge' : 'mlp';
    // Sweeps: --speech-options '<json>' (SpeechAutoencoderOptions merged into the speech model).
    const r = await runDigitsExperiment({
      dataDir: ctx.dataDir,
      quick: ctx.quick,
      map,
      log: ctx.log,
      progress: { stream: process.stderr },
      ...(typeof ctx.args['speech-options'] === 'string' ? { speechOptions: JSON.parse(ctx.args['speech-options']) } : {}),
    });
    ctx.log('');
    ctx.log(formatTable([
      { measure: 'audio -> image digit accuracy (held-out speakers)', value: r.audio_to_image_digit_accuracy, target: 0.9 },
      ...Object.entries(r.per_speaker_accuracy).map(([s, v]) => ({ measure: `  speaker ${s}`, value: v })),
      { measure: 'digit from audio code alone (linear probe)', value: r.audio_code_probe_accuracy },
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
    return json;
  },
};

export default suite;
