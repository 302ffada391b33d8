import { describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError, ShapeMismatchError, createRng } from '@latentkit/core';
import { istft, magnitude, resolveStftConfig, stft, stftFrameCount, stftMagnitude } from './stft.js';
import { getWindow } from './window.js';

function noise(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
}

describe('stft', () => {
  it('matches a direct DFT of the windowed, reflect-padded frame', () => {
    const x = noise(300, 1);
    const nFft = 64;
    const spec = stft(x, { nFft, hop: 16, winLength: 48, window: 'hamming' });
    expect(spec.bins).toBe(33);
    expect(spec.frames).toBe(1 + Math.floor(300 / 16));
    const w = getWindow('hamming', 48, nFft);
    // Frame 0 is centred on sample 0: it covers x[-32..31] with numpy-style reflection.
    const frame0 = Float64Array.from({ length: nFft }, (_, j) => x[Math.abs(j - 32)] * w[j]);
    const frame5 = Float64Array.from({ length: nFft }, (_, j) => x[5 * 16 - 32 + j] * w[j]);
    for (const [t, frame] of [
      [0, frame0],
      [5, frame5],
    ] as const) {
      for (const k of [0, 1, 7, 20, 32]) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < nFft; j++) {
          re += frame[j] * Math.cos((2 * Math.PI * k * j) / nFft);
          im -= frame[j] * Math.sin((2 * Math.PI * k * j) / nFft);
        }
        expect(spec.re[t * 33 + k]).toBeCloseTo(re, 4);
        expect(spec.im[t * 33 + k]).toBeCloseTo(im, 4);
      }
    }
  });

  it('peaks at the bin of a sine', () => {
    const rate = 16000;
    const x = Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / rate));
    const mag = stftMagnitude(x, { nFft: 512, hop: 128 });
    const t = 40;
    let best = 0;
    for (let k = 1; k < mag.bins; k++) if (mag.data[t * mag.bins + k] > mag.data[t * mag.bins + best]) best = k;
    expect(best).toBe(32); // 1000 Hz / (16000 / 512)
    // Hann window coherent gain: peak magnitude = A * N / 4.
    expect(mag.data[t * mag.bins + 32]).toBeCloseTo(512 / 4, 0);
    const power = stftMagnitude(x, { nFft: 512, hop: 128 }, 2);
    expect(power.data[t * mag.bins + 32]).toBeCloseTo(mag.data[t * mag.bins + 32] ** 2, -1);
    const viaComplex = magnitude(stft(x, { nFft: 512, hop: 128 })).data;
    let maxDiff = 0;
    for (let i = 0; i < viaComplex.length; i++) maxDiff = Math.max(maxDiff, Math.abs(viaComplex[i] - mag.data[i]));
    expect(maxDiff).toBeLessThan(1e-3); // the complex path rounds re/im to float32 first
  });

  it('istft inverts stft (centred and not, hann and hamming)', () => {
    const x = noise(5000, 2);
    for (const opts of [
      { nFft: 512, hop: 128 },
      { nFft: 256, hop: 64, winLength: 200, window: 'hamming' as const },
      { nFft: 256, hop: 64, center: false },
    ]) {
      const y = istft(stft(x, opts), { ...opts, length: x.length });
      const margin = opts.center === false ? 256 : 0;
      let maxErr = 0;
      for (let i = margin; i < x.length - margin; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - x[i]));
      expect(maxErr).toBeLessThan(1e-4);
    }
  });

  it('counts frames like librosa and handles short signals', () => {
    const c = resolveStftConfig({ nFft: 1024, hop: 256 });
    expect(stftFrameCount(16000, c)).toBe(63);
    expect(stftFrameCount(1, c)).toBe(1);
    expect(stft(new Float32Array([0.5]), { nFft: 16 }).frames).toBe(1);
    const nc = resolveStftConfig({ nFft: 1024, hop: 256, center: false });
    expect(stftFrameCount(16000, nc)).toBe(59);
    expect(stft(new Float32Array(10).fill(1), { nFft: 16, center: false }).frames).toBe(1);
  });

  it('rejects empty input, bad sizes and mismatched spectrograms', () => {
    expect(() => stft(new Float32Array(0))).toThrow(EmptyInputError);
    expect(() => stft(new Float32Array(10), { nFft: 500 })).toThrow(InvalidArgumentError);
    expect(() => stft(new Float32Array(10), { nFft: 512, winLength: 600 })).toThrow(/winLength/);
    expect(() => stft(new Float32Array(10), { nFft: 512, hop: 0 })).toThrow(/hop/);
    const spec = stft(noise(100, 3), { nFft: 64 });
    expect(() => istft(spec, { nFft: 128 })).toThrow(ShapeMismatchError);
  });
});
