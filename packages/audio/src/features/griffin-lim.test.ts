import { describe, expect, it } from 'vitest';
import { ShapeMismatchError } from '@latentkit/core';
import { syntheticSpeechCorpus } from '../synth/synthetic-corpus.js';
import { griffinLim, melToAudio } from './griffin-lim.js';
import { logMelSpectrogram, resolveMelConfig } from './mel.js';
import { stftMagnitude } from './stft.js';

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('griffinLim / melToAudio', () => {
  const [utterance] = syntheticSpeechCorpus({ speakers: 1, utterancesPerSpeaker: 1, seed: 3 });
  const x = utterance.clip.samples;

  it('rebuilds a signal whose magnitude spectrogram correlates with the original (> 0.9)', () => {
    const opts = { nFft: 512, hop: 128 };
    const mag = stftMagnitude(x, opts);
    const y = griffinLim(mag, { ...opts, iterations: 32, length: x.length });
    expect(y.length).toBe(x.length);
    const rebuilt = stftMagnitude(y, opts);
    expect(correlation(mag.data, rebuilt.data)).toBeGreaterThan(0.9);
    // More iterations should not be worse than none (random phase).
    const noIter = stftMagnitude(griffinLim(mag, { ...opts, iterations: 0, length: x.length }), opts);
    expect(correlation(mag.data, rebuilt.data)).toBeGreaterThan(correlation(mag.data, noIter.data));
  });

  it('turns a log-mel spectrogram back into audio with a matching log-mel', () => {
    const config = resolveMelConfig({ sampleRate: 16000, nFft: 1024, hop: 256, nMels: 80 });
    const logMel = logMelSpectrogram(x, config);
    const y = melToAudio(logMel, { ...config, iterations: 32, length: x.length });
    expect(y.length).toBe(x.length);
    expect(y.every(Number.isFinite)).toBe(true);
    const again = logMelSpectrogram(y, config);
    expect(correlation(logMel.data, again.data)).toBeGreaterThan(0.9);
    expect(melToAudio(logMel, { ...config, iterations: 4, seed: 5 })).toEqual(melToAudio(logMel, { ...config, iterations: 4, seed: 5 }));
  });

  it('rejects a spectrogram that does not match nFft', () => {
    expect(() => griffinLim({ data: new Float32Array(10 * 100), frames: 10, bins: 100 }, { nFft: 512 })).toThrow(ShapeMismatchError);
  });
});
