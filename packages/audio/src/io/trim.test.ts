import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { silenceBounds, trimSilence } from './trim.js';

describe('trimSilence', () => {
  const rate = 16000;
  // 0.5 s near-silence (-66 dB), 0.5 s tone, 0.3 s near-silence.
  const x = new Float32Array(Math.round(1.3 * rate));
  for (let i = 0; i < x.length; i++) x[i] = 0.0005 * Math.sin(i * 1.3);
  for (let i = 8000; i < 16000; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 300 * i) / rate);

  it('cuts leading and trailing silence, keeping padMs either side', () => {
    const [s, e] = silenceBounds(x, rate, { padMs: 0 });
    expect(Math.abs(s - 8000)).toBeLessThan(320);
    expect(Math.abs(e - 16000)).toBeLessThan(320);
    const padded = trimSilence(x, rate, { padMs: 50 });
    expect(Math.abs(padded.length - (e - s) - 1600)).toBeLessThanOrEqual(2);
  });

  it('uses a threshold relative to the peak, so a quiet recording trims the same', () => {
    const quiet = x.map((v) => v * 0.01);
    expect(silenceBounds(quiet, rate)).toEqual(silenceBounds(x, rate));
    // With a very low threshold the -66 dB floor counts as sound and nothing is cut.
    expect(silenceBounds(x, rate, { thresholdDb: -80 })).toEqual([0, x.length]);
  });

  it('returns an empty array for digital silence and rejects bad options', () => {
    expect(trimSilence(new Float32Array(1000), rate).length).toBe(0);
    expect(trimSilence(new Float32Array(0), rate).length).toBe(0);
    expect(() => trimSilence(x, rate, { thresholdDb: 10 })).toThrow(InvalidArgumentError);
    expect(() => trimSilence(x, 0)).toThrow(InvalidArgumentError);
  });
});
