/**
 * @file Patterns: hailstone (3n+1) sequences versus random sequences of the same length, through
 * the same small autoencoder. Trained only on hailstone sequences, the code learns their rule
 * (halve when even, triple-plus-one when odd), so it rebuilds new hailstone sequences well and
 * random ones badly: the reconstruction error tells them apart.
 *
 * Run: npx tsx --conditions=source examples/hailstone.ts [--length 16] [--epochs 80]
 */
import { parseArgs } from 'node:util';
import { createRng, initEngine, VectorAutoencoder } from '@latentkit/core';

const { values } = parseArgs({
  options: { length: { type: 'string', default: '16' }, epochs: { type: 'string', default: '80' }, seed: { type: 'string', default: '7' } },
});
const LENGTH = Number(values.length);
const EPOCHS = Number(values.epochs);
const rng = createRng(Number(values.seed));
const randInt = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** The first `length` terms of the hailstone sequence from `n` (it cycles 4, 2, 1 after reaching 1). */
function hailstone(n: number, length: number): number[] {
  const out = [n];
  while (out.length < length) {
    const x = out[out.length - 1];
    out.push(x % 2 === 0 ? x / 2 : 3 * x + 1);
  }
  return out;
}

/** Random integers spanning the same range as a hailstone sequence of the same start. */
function randomLike(seq: readonly number[]): number[] {
  const lo = Math.min(...seq);
  const hi = Math.max(...seq);
  return seq.map(() => randInt(lo, hi));
}

/** log2 of each term, scaled to [0, 1] within the sequence: the shape, not the size. */
function normalise(seq: readonly number[]): Float32Array {
  const l = seq.map((x) => Math.log2(x));
  const lo = Math.min(...l);
  const span = Math.max(...l) - lo || 1;
  return Float32Array.from(l, (v) => (v - lo) / span);
}

/** Area under the ROC curve: the chance a random sequence scores higher than a hailstone one. */
function auc(negatives: Float32Array, positives: Float32Array): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function summary(xs: Float32Array): string {
  const s = Float32Array.from(xs).sort();
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(4);
  return `min ${q(0)}  p25 ${q(0.25)}  median ${q(0.5)}  p75 ${q(0.75)}  max ${q(0.999)}`;
}

function histogram(a: Float32Array, b: Float32Array, bins = 12): string {
  const all = [...a, ...b].map((v) => Math.log10(v + 1e-6));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const bin = (v: number) => Math.min(bins - 1, Math.floor(((Math.log10(v + 1e-6) - lo) / (hi - lo || 1)) * bins));
  const ca = new Array(bins).fill(0);
  const cb = new Array(bins).fill(0);
  a.forEach((v) => ca[bin(v)]++);
  b.forEach((v) => cb[bin(v)]++);
  const scale = 40 / Math.max(...ca, ...cb);
  return ca
    .map((_, i) => {
      const edge = 10 ** (lo + ((hi - lo) * i) / bins);
      return `${edge.toExponential(1).padStart(8)} | ${'h'.repeat(Math.round(ca[i] * scale)).padEnd(40)} | ${'r'.repeat(Math.round(cb[i] * scale))}`;
    })
    .join('\n');
}

await initEngine();
const starts = (n: number) => Array.from({ length: n }, () => randInt(5, 100_000));
const train = starts(2000).map((n) => normalise(hailstone(n, LENGTH)));
const testStarts = starts(500);
const testHail = testStarts.map((n) => normalise(hailstone(n, LENGTH)));
const testRandom = testStarts.map((n) => normalise(randomLike(hailstone(n, LENGTH))));

const model = VectorAutoencoder.create({ inputDim: LENGTH, latentDim: 4, hidden: [64, 32], activation: 'tanh', outputActivation: 'sigmoid', seed: 1 });
console.log(`training a ${LENGTH} -> 4 -> ${LENGTH} autoencoder on ${train.length} hailstone sequences (${model.countParams()} parameters)...`);
const history = await model.fit(train, { epochs: EPOCHS, batchSize: 64, learningRate: 3e-3, seed: 1 });
console.log(`final training loss ${history.loss.at(-1)!.toFixed(5)} after ${history.epochs.length} epochs (${history.seconds.toFixed(1)} s)\n`);

const eHail = await model.reconstructionErrors(testHail);
const eRandom = await model.reconstructionErrors(testRandom);
// Threshold: the 95th percentile of the training errors (no random sequence was used to pick it).
const trainErr = Float32Array.from(await model.reconstructionErrors(train)).sort();
const threshold = trainErr[Math.floor(0.95 * trainErr.length)];
const correct = eHail.filter((e) => e <= threshold).length + eRandom.filter((e) => e > threshold).length;

console.log(`example hailstone sequence from ${testStarts[0]}: ${hailstone(testStarts[0], LENGTH).join(' ')}`);
console.log(`reconstruction error (mean squared, per sequence) on ${eHail.length} new sequences of each kind:`);
console.log(`  hailstone: ${summary(eHail)}`);
console.log(`  random:    ${summary(eRandom)}\n`);
console.log('histogram (log scale; h = hailstone, r = random):');
console.log(histogram(eHail, eRandom));
console.log(`\nAUC (random scores higher than hailstone): ${auc(eHail, eRandom).toFixed(4)}`);
console.log(`accuracy at threshold ${threshold.toFixed(5)} (95th percentile of training errors): ${((100 * correct) / (eHail.length + eRandom.length)).toFixed(1)}%`);
model.dispose();
