/**
 * @file Comparing latents across data types, and "say a digit, see an image", in a few public
 * calls of the latentkit packages.
 *
 * MNIST digit images, FSDD spoken digits and sentences naming digits each get their own
 * encoder; linear CKA and mutual kNN measure how alike their code spaces are when rows are
 * paired by digit. Then a map learned from audio codes to image codes turns speech of two
 * speakers it never heard into images, which an independent 5-nearest-neighbour judge reads.
 * `--strict`: the speech autoencoder never hears those speakers either.
 *
 * This is a short version of the benchmark's experiment (one speech model, fewer images and
 * epochs): `npm run bench -- crossmodal` runs the full one (bench/crossmodal/digits.ts) and
 * reports 0.91. Needs MNIST and FSDD in the data folder: LATENTKIT_DATA, default ../shared/data.
 * Run: npx tsx --conditions=source examples/cross-modal.ts [--strict]. Writes out/examples/say-a-digit.png.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  classMedoids,
  compareRepresentations,
  DIGIT_WORDS,
  knnClassifier,
  makeLatent,
  MlpMap,
  resolveDataDir,
  selectRows,
  standardizeByGroup,
  toMatrix,
  writeFileAtomic,
  type Matrix,
} from '@latentkit/core';
import { loadFsdd, pooledSpeechCode, SpeechAutoencoder } from '@latentkit/audio';
import { ConvImageAutoencoder, loadMnist, makeGrid, type FloatImage } from '@latentkit/image';
import { SentenceAutoencoder } from '@latentkit/text';

const { values } = parseArgs({ options: { strict: { type: 'boolean', default: false }, out: { type: 'string', default: 'out/examples' } } });
const dataDir = resolveDataDir();
if (!existsSync(join(dataDir, 'mnist')) || !existsSync(join(dataDir, 'fsdd'))) {
  console.error(`This example needs MNIST and FSDD; looked for mnist/ and fsdd/ in ${dataDir}. Set LATENTKIT_DATA to a folder laid out like shared/data.`);
  process.exit(1);
}
const pixels = (images: readonly FloatImage[]): Matrix => toMatrix(images.map((im) => im.data));
const heldOut = ['theo', 'yweweler'];

// Images: an autoencoder, and a judge that reads digits from pixels.
const train = await loadMnist(join(dataDir, 'mnist'), 'train', { limit: 3000 });
const test = await loadMnist(join(dataDir, 'mnist'), 'test', { limit: 500 });
const imageAe = ConvImageAutoencoder.create({ latentDim: 16, filters: [16, 32], seed: 1 });
await imageAe.fit(train.images, { epochs: 8, batchSize: 64, learningRate: 2e-3, timeLimitMs: 60_000 });
const judge = knnClassifier(pixels(train.images), train.labels);
const imageCodes = toMatrix(await imageAe.encode(train.images));

// Speech: an autoencoder that learns without labels, and one fixed-size code per clip.
const clips = await loadFsdd({ dataDir });
const heard = clips.filter((c) => c.split === 'train' && c.index % 5 === 0 && !(values.strict && heldOut.includes(c.speaker)));
const speech = SpeechAutoencoder.create({ sampleRate: 8000, channels: 64, seed: 1 });
console.log(`training a speech autoencoder on ${heard.length} unlabelled clips...`);
await speech.fit(heard.map((c) => c.clip), { epochs: 6, batchSize: 32, learningRate: 2e-3, timeLimitMs: 90_000 });
const audioCode = async (items: typeof clips) => standardizeByGroup(pooledSpeechCode(await speech.encode(items.map((c) => c.clip))), items.map((c) => c.speaker));
const fit = clips.filter((c) => !heldOut.includes(c.speaker));
const measured = clips.filter((c) => heldOut.includes(c.speaker) && !heard.includes(c));

// The map: a clip of "seven" -> the code of the most typical MNIST seven, fitted on four speakers.
const typical = classMedoids(imageCodes, train.labels);
const map = await MlpMap.fit(await audioCode(fit), selectRows(imageCodes, fit.map((c) => typical.get(c.digit)!)), { hidden: [512, 256], epochs: 40, prototypes: 10, seed: 1 });
const heldCodes = await audioCode(measured);
const mapped = map.apply(heldCodes);
map.dispose();
const decoded = await imageAe.decode(Array.from({ length: mapped.rows }, (_, i) => makeLatent(mapped.data.slice(i * mapped.cols, (i + 1) * mapped.cols), [mapped.cols], 'image', imageAe.config.kind)));
const read = await judge.predict(pixels(decoded));
const right = read.filter((d, i) => d === measured[i].digit).length;
console.log(`\nsay a digit, see an image: ${((100 * right) / measured.length).toFixed(1)}% of ${measured.length} clips by ${heldOut.join(' and ')} decode to an image the judge reads as the spoken digit`);

// Code spaces compared, rows paired by digit (in brackets: digits deliberately mismatched).
const sentences = DIGIT_WORDS.flatMap((w) => [w, `the number ${w}`, `I said ${w}`, `press ${w}`]);
const sae = await SentenceAutoencoder.loadDefault();
const textCodes = toMatrix((await sae.encode(sentences)).map((l) => l.parts!.meaning));
sae.dispose();
const rep = (name: string, codes: Matrix, labels: ArrayLike<number>) => ({ name, sets: [{ codes, labels: Array.from(labels), concept: 'digit', items: name }] });
const reps = [rep('image', toMatrix(await imageAe.encode(test.images)), test.labels), rep('audio', heldCodes, measured.map((c) => c.digit)), rep('text', textCodes, sentences.map((_, i) => Math.floor(i / 4)))];
for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
  const r = (await compareRepresentations(reps[a], reps[b], { perClass: 30, k: 10 }))!;
  console.log(`  ${r.a} vs ${r.b}: CKA ${r.cka.toFixed(3)} (${r.control?.cka.toFixed(3)})   mutual kNN ${r.mutualKnn.toFixed(3)} (${r.control?.mutualKnn.toFixed(3)})`);
}

const outDir = resolve(values.out!);
await mkdir(outDir, { recursive: true });
const rows = heldOut.map((s) => ({ label: `${s} says 0-9`, images: DIGIT_WORDS.map((_, d) => decoded[measured.findIndex((c) => c.speaker === s && c.digit === d)]) }));
await writeFileAtomic(join(outDir, 'say-a-digit.png'), await makeGrid(rows));
console.log(`wrote ${join(outDir, 'say-a-digit.png')}`);
imageAe.dispose();
speech.dispose();
