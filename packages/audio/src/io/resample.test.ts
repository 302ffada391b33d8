import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { resample } from './resample.js';

function sine(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** RMS difference from the ideal sine at the output rate, ignoring `edge` samples at each end. */
function rmsErrorVsIdeal(y: Float32Array, freq: number, rate: number, amp: number, edge: number): number {
  let acc = 0;
  let n = 0;
  for (let i = edge; i < y.length - edge; i++) {
    const d = y[i] - amp * Math.sin((2 * Math.PI * freq * i) / rate);
    acc += d * d;
    n++;
  }
  return Math.sqrt(acc / n);
}

function rms(y: Float32Array, edge: number): number {
  let acc = 0;
  for (let i = edge; i < y.length - edge; i++) acc += y[i] * y[i];
  return Math.sqrt(acc / (y.length - 2 * edge));
}

describe('resample', () => {
  it('keeps a 1 kHz sine at 1 kHz for 16k -> 8k, 8k -> 16k and 44.1k -> 16k', () => {
    const cases: [number, number][] = [
      [16000, 8000],
      [8000, 16000],
      [44100, 16000],
      [16000, 44100],
      [22050, 16000],
    ];
    for (const [from, to] of cases) {
      const y = resample(sine(1000, from, 0.5), from, to);
      expect(y.length).toBe(Math.ceil((0.5 * from * to) / from));
      const err = rmsErrorVsIdeal(y, 1000, to, 0.5, Math.round(0.02 * to));
      expect(err, `${from} -> ${to}`).toBeLessThan(1e-2);
      expect(err, `${from} -> ${to}`).toBeLessThan(1e-3); // in practice far better
    }
  });

  it('removes a tone above the new Nyquist (6 kHz at 16k -> 8k: > 40 dB down)', () => {
    const x = sine(6000, 16000, 0.5);
    const y = resample(x, 16000, 8000);
    const edge = 200;
    const attenuationDb = 20 * Math.log10(rms(y, edge) / rms(x, edge));
    expect(attenuationDb).toBeLessThan(-40);
    expect(attenuationDb).toBeLessThan(-70); // the default filter does much better than required
    // A 10 kHz tone going 44.1k -> 16k (new Nyquist 8 kHz) is removed as well.
    const z = resample(sine(10000, 44100, 0.5), 44100, 16000);
    expect(20 * Math.log10(rms(z, 300) / 0.3536)).toBeLessThan(-60);
  });

  it('adds no images when upsampling (8k -> 16k of a 3 kHz tone has nothing at 5 kHz)', () => {
    const y = resample(sine(3000, 8000, 0.5), 8000, 16000);
    // Project onto the image frequency (8000 - 3000 = 5000 Hz) over the middle of the clip.
    let c = 0;
    let s = 0;
    for (let i = 500; i < y.length - 500; i++) {
      c += y[i] * Math.cos((2 * Math.PI * 5000 * i) / 16000);
      s += y[i] * Math.sin((2 * Math.PI * 5000 * i) / 16000);
    }
    const imageAmp = (2 * Math.hypot(c, s)) / (y.length - 1000);
    expect(imageAmp).toBeLessThan(0.5 * 1e-3);
  });

  it('is fast: 2 s at 44.1 kHz -> 16 kHz in well under 100 ms', () => {
    const x = sine(440, 44100, 2);
    resample(x, 44100, 16000); // builds and caches the polyphase table
    const t0 = performance.now();
    resample(x, 44100, 16000);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('handles equal rates, empty and tiny inputs, and odd rates without a table', () => {
    const x = sine(100, 8000, 0.01);
    const same = resample(x, 8000, 8000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    expect(resample(new Float32Array(0), 8000, 16000).length).toBe(0);
    expect(resample(new Float32Array([1]), 8000, 16000).length).toBe(2);
    // 44100 -> 44101 has 44101 phases: computed per sample rather than tabulated.
    const y = resample(sine(1000, 44100, 0.05), 44100, 44101);
    expect(rmsErrorVsIdeal(y, 1000, 44101, 0.5, 200)).toBeLessThan(1e-3);
  });

  it('rejects bad rates and options', () => {
    expect(() => resample(new Float32Array(4), 0, 8000)).toThrow(InvalidArgumentError);
    expect(() => resample(new Float32Array(4), 8000, 44100.5)).toThrow(InvalidArgumentError);
    expect(() => resample(new Float32Array(4), 8000, 16000, { rolloff: 1.5 })).toThrow(/rolloff/);
    expect(() => resample(new Float32Array(4), 8000, 16000, { zeroCrossings: 1 })).toThrow(/zeroCrossings/);
  });
});
