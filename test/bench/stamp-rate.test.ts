/**
 * The engine benchmark's rate from progress stamps (bench/lib/engine-models.ts): steps of one
 * run report in a burst as the run ends, microseconds apart, and must not count as free steps.
 */
import { describe, expect, it } from 'vitest';
import { stampRate, stampWindow } from '../../bench/lib/engine-models.js';

/** Stamps of a fit: one single first step, then runs of `run` steps of `ms` each, reported 2 us apart. */
function stamps(steps: number, run: number, ms: number): number[] {
  const out = [80];
  let t = 80;
  for (let done = 1; done < steps; ) {
    const k = Math.min(run, steps - done);
    t += k * ms;
    for (let j = 0; j < k; j++) out.push(t + j * 0.002);
    done += k;
  }
  return out;
}

describe('stampRate', () => {
  it('times steps from the end of the run holding the second step, at their true rate', () => {
    // 32 steps: 1, then runs of 8, 8, 8, 7 of 18.75 ms each (128 samples: 6,827 samples/s).
    const s = stamps(32, 8, 18.75);
    expect(stampWindow(s)).toEqual({ from: 8, steps: 23 });
    expect(stampRate(s, 128)).toBeCloseTo(128 / 0.01875, -1);
  });

  it('takes single steps one by one', () => {
    const s = stamps(32, 1, 10);
    expect(stampWindow(s)).toEqual({ from: 1, steps: 30 });
    expect(stampRate(s, 64)).toBeCloseTo(6400, 0);
  });
});
