import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initEngine, tf } from '@latentkit/core';
import { syntheticSpeechCorpus } from '../synth/synthetic-corpus.js';
import { SpeechAutoencoder } from './speech-autoencoder.js';
import { contentSpeakerMatchTerm, standardiseColumns } from './speech-losses.js';

/** The term as first written: per-speaker means over the speakers present, in plain JS. */
function reference(pooled: number[][], speakers: string[]): number {
  const z = (standardiseColumns(tf.tensor2d(pooled)).arraySync() as number[][]);
  const names = [...new Set(speakers)];
  if (names.length < 2) return 0;
  let sum = 0;
  for (const name of names) {
    const rows = z.filter((_, i) => speakers[i] === name);
    for (let j = 0; j < z[0].length; j++) sum += (rows.reduce((a, r) => a + r[j], 0) / rows.length) ** 2;
  }
  return sum / (names.length * z[0].length);
}

/** One-hot speakers, one column per row (as collate makes them). */
function groupsOf(speakers: string[]): tf.Tensor2D {
  const names = [...new Set(speakers)];
  const b = speakers.length;
  const g = new Float32Array(b * b);
  speakers.forEach((s, i) => (g[i * b + names.indexOf(s)] = 1));
  return tf.tensor2d(g, [b, b]);
}

describe('the content-speaker match term', () => {
  beforeAll(async () => {
    await initEngine();
  });

  it('averages over the speakers present, whatever the width of the groups matrix', () => {
    const rng = createRng(4);
    const pooled = Array.from({ length: 9 }, () => Array.from({ length: 5 }, () => rng() * 2 - 1));
    for (const speakers of [['a', 'b', 'a', 'c', 'b', 'a', 'c', 'c', 'b'], ['a', 'a', 'b', 'a', 'a', 'b', 'a', 'a', 'a'], ['x', 'y', 'z', 'w', 'x', 'y', 'z', 'w', 'v']]) {
      const t = tf.tidy(() => contentSpeakerMatchTerm(tf.tensor2d(pooled), groupsOf(speakers)).dataSync()[0]);
      expect(t).toBeCloseTo(reference(pooled, speakers), 5);
      expect(t).toBeGreaterThan(0.01);
    }
    // One speaker: nothing to match.
    expect(tf.tidy(() => contentSpeakerMatchTerm(tf.tensor2d(pooled), groupsOf(Array(9).fill('a'))).dataSync()[0])).toBe(0);
  });

  it('collate gives the groups one column per row, so the step shape does not depend on the speakers in a batch', async () => {
    // 40 mels at 8 kHz; statistics given, as a loaded model has them.
    const normalization = { mean: Array<number>(40).fill(0), std: Array<number>(40).fill(1) };
    const model = SpeechAutoencoder.create({ normalization, sampleRate: 8000, channels: 16, kernelSize: 3, contentBlocks: 1, speakerBlocks: 1, decoderBlocks: 1, speakerDim: 8, contentDim: 4, segmentFrames: 20 });
    try {
      const corpus = syntheticSpeechCorpus({ speakers: 4, utterancesPerSpeaker: 2, contents: 2, sampleRate: 8000, seed: 3 });
      const clips = corpus.map((u) => ({ ...u.clip, speaker: `s${u.speaker}` }));
      const ctx = { training: true, seed: 1, epoch: 0, batch: 0 };
      // Two speakers, then four, in batches of 4.
      const two = model.collate([clips[0], clips[1], clips[2], clips[3]], ctx);
      const four = model.collate([clips[0], clips[2], clips[4], clips[6]], ctx);
      expect(new Set(corpus.slice(0, 4).map((u) => u.speaker)).size).toBe(2);
      expect(two.groups.shape).toEqual([4, 4]);
      expect(four.groups.shape).toEqual([4, 4]);
      expect(Array.from(tf.sum(two.groups, 0).dataSync())).toEqual([2, 2, 0, 0]);
      expect(Array.from(tf.sum(four.groups, 0).dataSync())).toEqual([1, 1, 1, 1]);
      tf.dispose([...Object.values(two), ...Object.values(four)]);
    } finally {
      model.dispose();
    }
  });
});
