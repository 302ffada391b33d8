import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '@latentkit/core';
import { hzToMel, logMelSpectrogram, melFilterbank, melSpectrogram, melToHz, melToLinear, resolveMelConfig } from './mel.js';

const sine = (f: number, rate: number, seconds: number, amp = 0.5) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate));

describe('mel scale and filterbank', () => {
  it('uses the Slaney mel scale (librosa default) and HTK on request', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 10);
    expect(hzToMel(500)).toBeCloseTo(7.5, 10);
    expect(hzToMel(2000)).toBeCloseTo(15 + Math.log(2) / (Math.log(6.4) / 27), 10);
    expect(melToHz(hzToMel(3456.7))).toBeCloseTo(3456.7, 6);
    expect(hzToMel(1000, true)).toBeCloseTo(999.985, 2);
    expect(melToHz(hzToMel(700, true), true)).toBeCloseTo(700, 6);
  });

  it('builds triangles of unit area with Slaney normalisation', () => {
    const rate = 16000;
    const nFft = 2048;
    const fb = melFilterbank({ sampleRate: rate, nFft, nMels: 40 });
    expect(fb.weights.length).toBe(40 * 1025);
    const df = rate / nFft;
    for (let m = 5; m < 40; m++) {
      let area = 0;
      for (let k = 0; k < fb.bins; k++) area += fb.weights[m * fb.bins + k] * df;
      expect(area).toBeCloseTo(1, 1);
    }
    // Without normalisation the peaks are (nearly) 1.
    const raw = melFilterbank({ sampleRate: rate, nFft, nMels: 40, norm: null });
    let peak = 0;
    for (let k = 0; k < raw.bins; k++) peak = Math.max(peak, raw.weights[20 * raw.bins + k]);
    expect(peak).toBeGreaterThan(0.9);
    expect(peak).toBeLessThanOrEqual(1);
    // Centres rise monotonically from fMin to fMax.
    for (let m = 1; m < 40; m++) expect(fb.centers[m]).toBeGreaterThan(fb.centers[m - 1]);
    expect(melFilterbank({ sampleRate: rate, nFft, nMels: 40 })).toBe(fb); // cached
  });

  it('puts the energy of a sine in the band that contains its frequency', () => {
    const rate = 16000;
    const config = resolveMelConfig({ sampleRate: rate, nMels: 80 });
    const fb = melFilterbank(config);
    for (const f of [300, 1000, 2500, 6000]) {
      const mel = logMelSpectrogram(sine(f, rate, 0.5), config);
      const t = Math.floor(mel.frames / 2);
      let best = 0;
      for (let m = 1; m < mel.nMels; m++) if (mel.data[t * mel.nMels + m] > mel.data[t * mel.nMels + best]) best = m;
      const lo = melToHz(hzToMel(0) + ((hzToMel(8000) - hzToMel(0)) * best) / 81);
      const hi = melToHz(hzToMel(0) + ((hzToMel(8000) - hzToMel(0)) * (best + 2)) / 81);
      expect(f, `peak band ${best} centre ${fb.centers[best].toFixed(0)} Hz`).toBeGreaterThan(lo);
      expect(f).toBeLessThan(hi);
      expect(Math.abs(fb.centers[best] - f)).toBeLessThan(0.1 * f + 60);
    }
  });

  it('has the documented shape, defaults and log floor', () => {
    const config = resolveMelConfig();
    expect(config).toEqual({
      sampleRate: 16000,
      nFft: 1024,
      hop: 256,
      winLength: 1024,
      window: 'hann',
      center: true,
      nMels: 80,
      fMin: 0,
      fMax: 8000,
      power: 1,
      norm: 'slaney',
      htk: false,
      logFloor: 1e-5,
    });
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    const mel = logMelSpectrogram(new Float32Array(16000));
    expect([mel.frames, mel.nMels, mel.data.length]).toEqual([63, 80, 63 * 80]);
    for (const v of mel.data) expect(v).toBeCloseTo(Math.log(1e-5), 6);
  });

  it('is fast: a 1 s clip in a few ms', () => {
    const x = sine(440, 16000, 1);
    logMelSpectrogram(x);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) logMelSpectrogram(x);
    expect((performance.now() - t0) / 10).toBeLessThan(15);
  });

  it('melToLinear approximately inverts the filterbank and is non-negative', () => {
    const config = resolveMelConfig({ sampleRate: 16000, nMels: 80 });
    const x = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i * 0.2) + 0.2 * Math.sin(i * 0.77) + 0.1 * Math.sin(i * 1.9));
    const mel = melSpectrogram(x, config);
    const fb = melFilterbank(config);
    // Relative error of projecting a linear spectrogram back through the filterbank.
    const reprojectionError = (lin: { data: Float32Array }) => {
      let err = 0;
      let ref = 0;
      for (let t = 0; t < mel.frames; t++) {
        for (let m = 0; m < 80; m++) {
          let s = 0;
          for (let k = fb.start[m]; k < fb.end[m]; k++) s += fb.weights[m * 513 + k] * lin.data[t * 513 + k];
          err += (s - mel.data[t * 80 + m]) ** 2;
          ref += mel.data[t * 80 + m] ** 2;
        }
      }
      return Math.sqrt(err / ref);
    };
    const lin = melToLinear(mel, config);
    expect(lin.bins).toBe(513);
    expect(lin.data.every((v) => v >= 0)).toBe(true);
    const plain = melToLinear(mel, { ...config, refineIterations: 0 });
    expect(plain.data.every((v) => v >= 0)).toBe(true);
    // Clamping the pseudo-inverse costs accuracy; the non-negative refinement wins it back.
    expect(reprojectionError(lin)).toBeLessThan(0.05);
    expect(reprojectionError(lin)).toBeLessThan(0.7 * reprojectionError(plain));
  });

  it('validates options and shapes', () => {
    expect(() => resolveMelConfig({ fMax: 9000 })).toThrow(InvalidArgumentError);
    expect(() => resolveMelConfig({ nMels: 0 })).toThrow(/nMels/);
    expect(() => resolveMelConfig({ logFloor: 0 })).toThrow(/logFloor/);
    expect(() => resolveMelConfig({ nFft: 1000 })).toThrow(/nFft/);
    expect(() => melToLinear({ data: new Float32Array(40), frames: 1, nMels: 40 }, { nMels: 80 })).toThrow(ShapeMismatchError);
  });
});
