import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, makeLatent, type Latent } from '@latentkit/core';
import { pooledSpeechCode } from './pooled-code.js';

/** A speech-like latent: `content` frames `[t, d]` and a speaker code. */
function speechLatent(frames: number[][], speaker: number[]): Latent {
  const d = frames[0].length;
  const content = makeLatent(Float32Array.from(frames.flat()), [frames.length, d], 'audio', 'test');
  const spk = makeLatent(Float32Array.from(speaker), [speaker.length], 'audio', 'test');
  return makeLatent(Float32Array.from(speaker), [speaker.length], 'audio', 'test', { content, speaker: spk });
}

describe('pooledSpeechCode', () => {
  // One sound held for 6 frames, a jump, another held for 2: the jump is the only change.
  const word = speechLatent([[0], [0], [0], [0], [0], [0], [4], [4]], [7, 9]);

  it('by time, averages equal numbers of frames, then appends the spread and the speaker code', () => {
    const m = pooledSpeechCode([word], { segments: 2, spacing: 'time' });
    expect(m.cols).toBe(2 + 1 + 2);
    expect(Array.from(m.data)).toEqual([0, 2, Math.sqrt(3), 7, 9].map((v) => expect.closeTo(v, 5)));
  });

  it('by change, puts the segment border at the middle of the jump, however long each sound is held', () => {
    const slow = speechLatent([[0], [0], [0], [0], [0], [0], [4], [4]], [7, 9]);
    const fast = speechLatent([[0], [4], [4], [4], [4], [4], [4], [4], [4]], [7, 9]);
    for (const latent of [slow, fast]) {
      const [first, second] = pooledSpeechCode([latent], { segments: 2 }).data;
      // Halfway along the arc is the middle of the jump: each half averages one sound.
      expect(first).toBeCloseTo(0, 4);
      expect(second).toBeCloseTo(4, 4);
    }
  });

  it('falls back to equal time when the code never moves, and names a latent without parts', () => {
    const still = speechLatent([[1, 2], [1, 2], [1, 2]], [0]);
    expect(Array.from(pooledSpeechCode([still], { segments: 4 }).data.subarray(0, 8))).toEqual([1, 2, 1, 2, 1, 2, 1, 2].map((v) => expect.closeTo(v, 5)));
    const bare = makeLatent(new Float32Array(3), [3], 'audio', 'test');
    expect(() => pooledSpeechCode([word, bare])).toThrow(/Latent 1/);
    expect(() => pooledSpeechCode([word], { segments: 0 })).toThrow(InvalidArgumentError);
  });
});
