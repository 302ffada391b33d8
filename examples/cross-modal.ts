/**
 * @file Comparing latents across data types, and "say a digit, see an image".
 *
 * MNIST digit images, FSDD spoken digits and the words "zero".."nine" each get their own
 * autoencoder; linear CKA and mutual kNN measure how alike their code spaces are when rows
 * are paired by digit. Then a map learned from audio codes to image codes turns speech of
 * speakers it never heard into images, which an independent MNIST classifier reads.
 * `--strict`: the speech autoencoder never hears those speakers either.
 *
 * Needs the data folder (MNIST and FSDD): LATENTKIT_DATA, default ../shared/data.
 * Run: npx tsx --conditions=source examples/cross-modal.ts [--quick] [--strict] [--map ridge]
 * (The same experiment as `npm run bench -- crossmodal`.) Writes out/examples/say-a-digit.png.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '@latentkit/core';
import { runDigitsExperiment } from '@latentkit/cli';
import { makeGrid } from '@latentkit/image';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, map: { type: 'string', default: 'mlp' }, out: { type: 'string', default: 'out/examples' } } });
const dataDir = resolve(process.env.LATENTKIT_DATA ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data'));
if (!existsSync(resolve(dataDir, 'mnist')) || !existsSync(resolve(dataDir, 'fsdd'))) {
  console.error(`This example needs MNIST and FSDD, looked for them in ${dataDir} (mnist/ and fsdd/).`);
  console.error('Set LATENTKIT_DATA to a folder laid out like shared/data, e.g. LATENTKIT_DATA=/path/to/data npx tsx --conditions=source examples/cross-modal.ts');
  process.exit(1);
}

const r = await runDigitsExperiment({ dataDir, quick: values.quick, speechHearsHeldOut: !values.strict, map: values.map === 'ridge' ? 'ridge' : 'mlp', log: console.log, progress: { stream: process.stderr } });

console.log('\nlatent-space similarity, rows paired by digit (in brackets: digits deliberately mismatched):');
for (const pair of Object.keys(r.cka)) {
  console.log(`  ${pair.replace('_', ' vs ').padEnd(16)} CKA ${r.cka[pair].toFixed(3)} (${r.control.cka[pair].toFixed(3)})   mutual kNN ${r.mutual_knn[pair].toFixed(3)} (${r.control.mutual_knn[pair].toFixed(3)})`);
}
const heard = r.speech_heard_held_out_voices ? 'the map never heard them; the speech model heard other clips of theirs, without labels' : 'never heard by the speech model or the map';
console.log(`\nsay a digit, see an image (speakers ${r.held_out_speakers.join(', ')}: ${heard}; clips no model heard):`);
console.log(`  ${(r.audio_to_image_digit_accuracy * 100).toFixed(1)}% of clips became an image the MNIST judge reads as the spoken digit`);
for (const [s, a] of Object.entries(r.per_speaker_accuracy)) console.log(`    ${s}: ${(a * 100).toFixed(1)}%`);
console.log(`  (judge: ${(r.judge.mnist_test_accuracy * 100).toFixed(1)}% on MNIST test; the audio code alone gives ${(r.audio_code_probe_accuracy * 100).toFixed(1)}% with a linear probe)`);

const outDir = resolve(values.out!);
await mkdir(outDir, { recursive: true });
const rows = r.held_out_speakers.map((s) => ({ label: `${s} says 0-9`, images: r.examples.filter((e) => e.speaker === s).map((e) => e.image) }));
await writeFileAtomic(resolve(outDir, 'say-a-digit.png'), await makeGrid(rows));
console.log(`\nwrote ${resolve(outDir, 'say-a-digit.png')}`);
