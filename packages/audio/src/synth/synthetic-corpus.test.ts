import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { logMelSpectrogram } from '../features/mel.js';
import { stftMagnitude } from '../features/stft.js';
import { VOWEL_FORMANTS, synthesizeVowels } from './formant-synth.js';
import { SYNTHETIC_CONTENTS, syntheticSpeechCorpus, syntheticVoices } from './synthetic-corpus.js';

/** Median f0 over 40 ms windows of the voiced middle, by normalised autocorrelation. */
function measureF0(x: Float32Array, rate: number): number {
  const win = Math.round(0.04 * rate);
  const minLag = Math.floor(rate / 400);
  const maxLag = Math.ceil(rate / 60);
  const estimates: number[] = [];
  for (let start = Math.floor(0.25 * x.length); start + win + maxLag < 0.75 * x.length; start += win) {
    const r = new Float64Array(maxLag + 1);
    for (let lag = minLag; lag <= maxLag; lag++) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = 0; i < win; i++) {
        xy += x[start + i] * x[start + i + lag];
        xx += x[start + i] ** 2;
        yy += x[start + i + lag] ** 2;
      }
      r[lag] = xy / Math.sqrt(xx * yy + 1e-20);
    }
    let best = minLag;
    for (let lag = minLag; lag <= maxLag; lag++) if (r[lag] > r[best]) best = lag;
    // Prefer the shortest lag nearly as good as the best (avoids picking 2 or 3 periods).
    let lag = minLag;
    while (lag < best && !(r[lag] > 0.9 * r[best] && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1])) lag++;
    estimates.push(rate / lag);
  }
  estimates.sort((a, b) => a - b);
  return estimates[Math.floor(estimates.length / 2)];
}

describe('syntheticSpeechCorpus', () => {
  const t0 = performance.now();
  const corpus = syntheticSpeechCorpus({ speakers: 6, utterancesPerSpeaker: 10, seed: 1 });
  const elapsed = performance.now() - t0;

  it('has the requested layout, labels and durations, quickly', () => {
    expect(corpus.length).toBe(60);
    expect(elapsed).toBeLessThan(5000); // about 0.3-1 s on an idle laptop core
    expect(new Set(corpus.map((c) => c.speakerName)).size).toBe(6);
    for (const [i, item] of corpus.entries()) {
      expect(item.speaker).toBe(Math.floor(i / 10));
      expect(item.content).toBe(i % 10 % 8);
      expect(item.text).toBe(SYNTHETIC_CONTENTS[item.content]);
      expect(item.clip.sampleRate).toBe(16000);
      const seconds = item.clip.samples.length / 16000;
      expect(seconds).toBeGreaterThanOrEqual(0.6);
      expect(seconds).toBeLessThanOrEqual(1.0);
      let peak = 0;
      for (const v of item.clip.samples) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeGreaterThan(0.3);
      expect(peak).toBeLessThan(0.75);
    }
    expect(new Set(SYNTHETIC_CONTENTS).size).toBe(SYNTHETIC_CONTENTS.length);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 3, seed: 1 });
    for (let i = 0; i < 3; i++) expect(again[i].clip.samples).toEqual(corpus[i].clip.samples);
    expect(again[3].clip.samples).toEqual(corpus[10].clip.samples);
    const other = syntheticSpeechCorpus({ speakers: 1, utterancesPerSpeaker: 1, seed: 2 });
    expect(other[0].clip.samples).not.toEqual(corpus[0].clip.samples);
  });

  it('gives speakers measurably different f0, close to their design', () => {
    const voices = syntheticVoices(6, 1);
    const medians = voices.map((voice, s) => {
      const f0s = corpus.filter((c) => c.speaker === s).map((c) => measureF0(c.clip.samples, 16000));
      f0s.sort((a, b) => a - b);
      const median = f0s[Math.floor(f0s.length / 2)];
      expect(Math.abs(median / voice.f0 - 1), `${voice.name}: measured ${median.toFixed(1)} Hz, designed ${voice.f0.toFixed(1)}`).toBeLessThan(0.1);
      return median;
    });
    const sorted = [...medians].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] / sorted[i - 1]).toBeGreaterThan(1.08);
  });

  it('puts harmonics at f0 and spectral peaks at the designed formants', () => {
    for (const voice of syntheticVoices(3)) {
      // Formants belong to the filter; a low steady f0 samples its envelope finely enough to
      // resolve F1 and F2 of /a/ even for the shortest tract (at 250 Hz they merge, as in real voices).
      const steady = { ...voice, f0: 100, jitter: 0, vibratoDepth: 0, shimmer: 0 };
      for (const vowel of ['a', 'i'] as const) {
        const clip = synthesizeVowels([vowel], steady, { duration: 1, declination: 0, seed: 4 });
        const nFft = 8192;
        const spec = stftMagnitude(clip.samples, { nFft, hop: 2048 });
        const row = spec.data.subarray(3 * spec.bins, 4 * spec.bins);
        const hz = 16000 / nFft;
        // Harmonic amplitudes: the spectrum at multiples of f0 dwarfs the spectrum between them.
        const amps: number[] = [];
        const f0 = steady.f0;
        for (let h = 1; h * f0 < 5000; h++) amps.push(row[Math.round((h * f0) / hz)]);
        const between = row[Math.round((1.5 * f0) / hz)];
        expect(Math.max(amps[0], amps[1])).toBeGreaterThan(20 * between);
        // Local maxima of the harmonic envelope: the first two sit at F1 and F2 (within a harmonic).
        const peaks: number[] = [];
        for (let h = 1; h < amps.length - 1; h++) if (amps[h] > amps[h - 1] && amps[h] >= amps[h + 1]) peaks.push((h + 1) * f0);
        if (amps[0] > amps[1]) peaks.unshift(f0);
        const [f1, f2] = VOWEL_FORMANTS[vowel].map((f) => f * voice.formantScale);
        const near = (target: number) => Math.min(...peaks.map((p) => Math.abs(p - target)));
        expect(near(f1), `${voice.name} /${vowel}/ F1 ${f1.toFixed(0)} vs peaks ${peaks.map(Math.round)}`).toBeLessThan(0.75 * f0);
        expect(near(f2), `${voice.name} /${vowel}/ F2 ${f2.toFixed(0)} vs peaks ${peaks.map(Math.round)}`).toBeLessThan(0.75 * f0);
      }
    }
  });

  it('looks like speech in the log-mel: voiced frames far above the silent edges', () => {
    const mel = logMelSpectrogram(corpus[0].clip.samples, { sampleRate: 16000 });
    const frameEnergy = (t: number) => {
      let s = 0;
      for (let m = 0; m < mel.nMels; m++) s += Math.exp(mel.data[t * mel.nMels + m]);
      return Math.log(s);
    };
    const mid = frameEnergy(Math.floor(mel.frames / 2));
    expect(mid - frameEnergy(0)).toBeGreaterThan(Math.log(100)); // > 40 dB
    expect(mid - frameEnergy(mel.frames - 1)).toBeGreaterThan(Math.log(100));
  });

  it('rejects bad options', () => {
    expect(() => syntheticSpeechCorpus({ speakers: 0 })).toThrow(InvalidArgumentError);
    expect(() => syntheticSpeechCorpus({ contents: 13 })).toThrow(/contents/);
    expect(() => synthesizeVowels(['x' as 'a'], syntheticVoices(1)[0])).toThrow(/unknown vowel/);
    expect(() => synthesizeVowels([], syntheticVoices(1)[0])).toThrow(/empty/);
  });
});
