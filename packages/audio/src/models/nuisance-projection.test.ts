import { createRng, type Latent } from '@latentkit/core';
import { describe, expect, it } from 'vitest';
import { chooseSpeakerDirections, classScatter, fitNuisanceDirections, pairEer } from './nuisance-projection.js';

const latent = (v: number[]): Latent => ({ data: Float32Array.from(v), shape: [v.length], modality: 'audio', model: 'test' });

/**
 * Speaker codes like a trained one that failed plain NAP: 3 speakers whose means differ only
 * along axis 0, which is also the axis where each speaker's takes vary most; axes 1-2 vary a
 * little; axes 3-5 never move (rank-deficient code).
 */
function rankDeficientCodes(): { codes: Latent[]; labels: string[] } {
  const rng = createRng(3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const codes: Latent[] = [];
  const labels: string[] = [];
  for (const [s, mean] of [['a', -3], ['b', 0], ['c', 3]] as const) {
    const noise = Array.from({ length: 60 }, () => [5 * gauss(), gauss(), 0.5 * gauss()]);
    // Centred per speaker, so the speakers' means differ along axis 0 exactly.
    const centre = [0, 1, 2].map((j) => noise.reduce((t, n) => t + n[j], 0) / noise.length);
    for (const n of noise) {
      const speaker = [mean + n[0] - centre[0], n[1] - centre[1], n[2] - centre[2], 7, 7, 7];
      codes.push({ ...latent([...speaker, 0]), parts: { speaker: latent(speaker), contentPooled: latent([gauss(), gauss()]) } });
      labels.push(s);
    }
  }
  return { codes, labels };
}

function project(x: Float32Array, rows: number[][], mean: number[]): number[] {
  const out = Array.from(x);
  for (const v of rows) {
    const dot = v.reduce((t, vj, j) => t + vj * (x[j] - mean[j]), 0);
    v.forEach((vj, j) => (out[j] -= dot * vj));
  }
  return out;
}

const trace = (s: Float64Array, d: number) => Array.from({ length: d }, (_, i) => s[i * d + i]).reduce((a, b) => a + b, 0);

describe('fitNuisanceDirections', () => {
  it('with keepSpeakers, never projects out what tells the training speakers apart, even when asked for more directions than the code has', () => {
    const { codes, labels } = rankDeficientCodes();
    const dirs = fitNuisanceDirections(codes, labels, { speaker: 4, content: 0, keepSpeakers: true });
    // Outside the speakers' axis the code varies along 2 directions only: no more are taken.
    expect(dirs.speaker.length).toBe(2);
    for (const v of dirs.speaker) {
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
      expect(Math.abs(v[0])).toBeLessThan(1e-5);
    }
    const before = classScatter(codes.map((c) => c.parts!.speaker.data), labels, 'between');
    const projected = codes.map((c) => Float32Array.from(project(c.parts!.speaker.data, dirs.speaker, dirs.speakerMean)));
    const after = classScatter(projected, labels, 'between');
    expect(trace(after, 6) / trace(before, 6)).toBeGreaterThan(0.999);
    // The within-speaker variance left is axis 0's alone (axes 1 and 2 are gone).
    const within = classScatter(projected, labels, 'within');
    expect(within[1 * 6 + 1] + within[2 * 6 + 2]).toBeLessThan(1e-6 * within[0]);
  });

  it('without keepSpeakers (plain NAP), takes the largest within-speaker directions, the speakers\' axis too', () => {
    const { codes, labels } = rankDeficientCodes();
    const dirs = fitNuisanceDirections(codes, labels, { speaker: 4, content: 0 });
    // Axes 0-2 are all the code varies along: all three go, and the speakers' means with them.
    expect(dirs.speaker).toHaveLength(3);
    const projected = codes.map((c) => Float32Array.from(project(c.parts!.speaker.data, dirs.speaker, dirs.speakerMean)));
    const before = classScatter(codes.map((c) => c.parts!.speaker.data), labels, 'between');
    expect(trace(classScatter(projected, labels, 'between'), 6) / trace(before, 6)).toBeLessThan(1e-6);
  });

  it('takes the largest within-speaker directions when they do not carry the speakers apart', () => {
    const rng = createRng(9);
    const codes: Latent[] = [];
    const labels: string[] = [];
    for (const [s, mean] of [['a', -2], ['b', 2]] as const) {
      for (let i = 0; i < 80; i++) {
        const speaker = [mean + 0.1 * (rng() - 0.5), 4 * (rng() - 0.5), 0.2 * (rng() - 0.5)];
        codes.push({ ...latent(speaker), parts: { speaker: latent(speaker), contentPooled: latent([rng()]) } });
        labels.push(s);
      }
    }
    const dirs = fitNuisanceDirections(codes, labels, { speaker: 1, content: 0 });
    expect(dirs.speaker).toHaveLength(1);
    expect(Math.abs(dirs.speaker[0][1])).toBeGreaterThan(0.99);
  });
});

describe('pairEer and chooseSpeakerDirections', () => {
  it('scores separated voices 0 and indistinct ones near 0.5', () => {
    const a = [Float32Array.of(1, 0), Float32Array.of(0.9, 0.1), Float32Array.of(0, 1), Float32Array.of(0.1, 0.9)];
    expect(pairEer(a, ['x', 'x', 'y', 'y'])).toBe(0);
    const rng = createRng(4);
    const noise = Array.from({ length: 80 }, () => Float32Array.from({ length: 4 }, () => rng() - 0.5));
    expect(Math.abs(pairEer(noise, noise.map((_, i) => `v${i % 4}`)) - 0.5)).toBeLessThan(0.1);
  });

  it('removes the directions that validation on held-out training voices says hurt, and keeps the rest', () => {
    // 9 voices: identity in axes 0-3 (small), a shared nuisance (what is said) in axes 4-7 (large).
    const rng = createRng(8);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const codes: Latent[] = [];
    const labels: string[] = [];
    for (let v = 0; v < 9; v++) {
      const id = [gauss(), gauss(), gauss(), gauss()];
      for (let i = 0; i < 12; i++) {
        const x = [...id.map((c) => c + 0.1 * gauss()), 4 * gauss(), 4 * gauss(), 4 * gauss(), 4 * gauss(), 0.05 * gauss(), 0.05 * gauss()];
        for (const [copy, label] of [[x, `v${v}`], [x.map((c) => c * 1.01), `v${v}@0.9`]] as const) {
          codes.push({ ...latent(copy), parts: { speaker: latent(copy), contentPooled: latent([0]) } });
          labels.push(label);
        }
      }
    }
    const k = chooseSpeakerDirections(codes, labels, 8);
    expect(k).toBe(4);
    const raw = pairEer(codes.filter((_, i) => !labels[i].includes('@')).map((c) => c.parts!.speaker.data), labels.filter((l) => !l.includes('@')));
    const dirs = fitNuisanceDirections(codes, labels, { speaker: k, content: 0 });
    const originals = codes.flatMap((c, i) => (labels[i].includes('@') ? [] : [Float32Array.from(project(c.parts!.speaker.data, dirs.speaker, dirs.speakerMean))]));
    expect(pairEer(originals, labels.filter((l) => !l.includes('@')))).toBeLessThan(raw / 2);
    // Too few voices to hold some out: the maximum is taken as given.
    expect(chooseSpeakerDirections(codes.slice(0, 48), labels.slice(0, 48), 8)).toBe(8);
  });
});
