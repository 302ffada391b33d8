/**
 * @file Tiny pictures: 3x3 black-and-white patterns that mean something (lines, diagonals, a
 * cross, a plus, corners) squeezed into 2 numbers and rebuilt. Prints each pattern, its 2-D
 * code and its reconstruction as ASCII art, then a map of what the decoder draws across the
 * code plane.
 *
 * Run: npx tsx --conditions=source examples/tiny-pictures.ts [--epochs 400]
 */
import { parseArgs } from 'node:util';
import { createRng, initEngine, makeLatent, VectorAutoencoder } from '@latentkit/core';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '400' }, seed: { type: 'string', default: '3' } } });

const PATTERNS: Record<string, string> = {
  'top line': '###......',
  'middle line': '...###...',
  'bottom line': '......###',
  'left column': '#..#..#..',
  'middle column': '.#..#..#.',
  'right column': '..#..#..#',
  diagonal: '#...#...#',
  'anti-diagonal': '..#.#.#..',
  cross: '#.#.#.#.#',
  plus: '.#.###.#.',
  'top-left corner': '####..#..',
  'bottom-right corner': '..#..####',
};

const toVector = (p: string) => Float32Array.from(p, (c) => (c === '#' ? 1 : 0));
const shade = (v: number) => (v > 0.75 ? '#' : v > 0.5 ? '+' : v > 0.25 ? '.' : ' ');
const rows = (v: ArrayLike<number>) => [0, 1, 2].map((r) => Array.from({ length: 3 }, (_, c) => shade(v[r * 3 + c])).join(''));

await initEngine();
// Training set: every pattern many times, with a little pixel noise so the code must generalise.
const rng = createRng(Number(values.seed));
const names = Object.keys(PATTERNS);
const train: Float32Array[] = [];
for (let i = 0; i < 40; i++) {
  for (const n of names) train.push(toVector(PATTERNS[n]).map((v) => Math.min(1, Math.max(0, v + (rng() - 0.5) * 0.3))));
}

const model = VectorAutoencoder.create({ inputDim: 9, latentDim: 2, hidden: [16], activation: 'tanh', outputActivation: 'sigmoid', seed: 2 });
const history = await model.fit(train, { epochs: Number(values.epochs), batchSize: 32, learningRate: 1e-2, seed: 1 });
console.log(`9 pixels -> 2 numbers -> 9 pixels: ${names.length} patterns, loss ${history.loss.at(-1)!.toFixed(4)} after ${history.epochs.length} epochs\n`);

const clean = names.map((n) => toVector(PATTERNS[n]));
const codes = await model.encode(clean);
const recon = await model.decode(codes);
console.log('pattern               input  code               rebuilt');
names.forEach((n, i) => {
  const a = rows(clean[i]);
  const b = rows(recon[i]);
  const code = `(${codes[i].data[0].toFixed(2)}, ${codes[i].data[1].toFixed(2)})`.padEnd(17);
  console.log(`${n.padEnd(21)} |${a[0]}|  ${code}  |${b[0]}|`);
  console.log(`${''.padEnd(21)} |${a[1]}|  ${''.padEnd(17)}  |${b[1]}|`);
  console.log(`${''.padEnd(21)} |${a[2]}|  ${''.padEnd(17)}  |${b[2]}|\n`);
});

// The code plane: decode a 7x5 grid of codes spanning the codes of the patterns.
const xs = codes.map((c) => c.data[0]);
const ys = codes.map((c) => c.data[1]);
const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
const W = 7;
const H = 5;
const grid = [];
for (let r = 0; r < H; r++) {
  for (let c = 0; c < W; c++) {
    const x = x0 + ((x1 - x0) * c) / (W - 1);
    const y = y1 - ((y1 - y0) * r) / (H - 1);
    grid.push(makeLatent(Float32Array.from([x, y]), [2], 'vector', VectorAutoencoder.kind));
  }
}
const drawn = await model.decode(grid);
console.log(`what the decoder draws across the code plane (x ${x0.toFixed(1)}..${x1.toFixed(1)}, y ${y1.toFixed(1)}..${y0.toFixed(1)}):`);
for (let r = 0; r < H; r++) {
  const pics = drawn.slice(r * W, (r + 1) * W).map(rows);
  for (let line = 0; line < 3; line++) console.log(pics.map((p) => `|${p[line]}|`).join(' '));
  console.log();
}
model.dispose();
