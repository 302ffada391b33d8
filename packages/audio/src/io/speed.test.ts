import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { speedPerturb } from './speed.js';

function sine(freq: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** Frequency of a sine from its zero crossings (rising ones), away from the edges. */
function zeroCrossingFrequency(y: Float32Array, rate: number): number {
  const edge = Math.round(0.02 * rate);
  const rising: number[] = [];
  for (let i = edge; i < y.length - edge; i++) {
    if (y[i - 1] < 0 && y[i] >= 0) rising.push(i - 1 + -y[i - 1] / (y[i] - y[i - 1]));
  }
  return ((rising.length - 1) * rate) / (rising[rising.length - 1] - rising[0]);
}

describe('speedPerturb', () => {
  it('multiplies frequencies by the factor and divides the duration by it, at the same rate', () => {
    const clip = { samples: sine(500, 8000, 1), sampleRate: 8000 };
    for (const f of [0.9, 1.1, 1.5]) {
      const out = speedPerturb(clip, f);
      expect(out.sampleRate).toBe(8000);
      expect(Math.abs(out.samples.length - 8000 / f)).toBeLessThanOrEqual(1);
      expect(zeroCrossingFrequency(out.samples, 8000)).toBeCloseTo(500 * f, 0);
    }
    const same = speedPerturb(clip, 1);
    expect(Array.from(same.samples)).toEqual(Array.from(clip.samples));
    expect(same.samples).not.toBe(clip.samples);
  });

  it('removes what a faster playback would push above the Nyquist frequency', () => {
    // 3.8 kHz at 8 kHz, played 1.5x faster, would be 5.7 kHz: above 4 kHz, so it must go.
    const out = speedPerturb({ samples: sine(3800, 8000, 0.5), sampleRate: 8000 }, 1.5);
    const mid = out.samples.subarray(200, out.samples.length - 200);
    expect(Math.sqrt(mid.reduce((s, v) => s + v * v, 0) / mid.length)).toBeLessThan(0.01);
  });

  it('refuses factors outside [0.5, 2]', () => {
    const clip = { samples: new Float32Array(100), sampleRate: 8000 };
    for (const f of [0.4, 2.5, Number.NaN, 0, -1]) expect(() => speedPerturb(clip, f)).toThrow(InvalidArgumentError);
  });
});
