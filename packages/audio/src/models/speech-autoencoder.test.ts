import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, InputTooLargeError, InvalidArgumentError, ModelMismatchError, ShapeMismatchError, VectorAutoencoder, initEngine, type Latent } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { syntheticSpeechCorpus, type SyntheticUtterance } from '../synth/synthetic-corpus.js';
import { SpeechAutoencoder } from './speech-autoencoder.js';
import { resolveSpeechAutoencoderConfig, type SpeechAutoencoderOptions } from './speech-config.js';
import { segmentBounds } from './speech-features.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lk-speech-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A small, fast configuration for tests. */
const SMALL: SpeechAutoencoderOptions = {
  sampleRate: 8000,
  channels: 32,
  kernelSize: 3,
  contentBlocks: 1,
  speakerBlocks: 1,
  decoderBlocks: 1,
  speakerDim: 16,
  contentDim: 4,
  segmentFrames: 40,
};

/** Nearest-centroid accuracy of `test` codes against class centroids of `train` codes. */
function nearestCentroid(train: Float32Array[], trainY: number[], test: Float32Array[], testY: number[]): number {
  const d = train[0].length;
  const classes = [...new Set(trainY)];
  const centroids = classes.map((c) => {
    const m = new Float64Array(d);
    let n = 0;
    train.forEach((x, i) => {
      if (trainY[i] !== c) return;
      for (let j = 0; j < d; j++) m[j] += x[j];
      n++;
    });
    return m.map((v) => v / n);
  });
  // Standardise with the training statistics so no single feature dominates the distance.
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const x of train) for (let j = 0; j < d; j++) mean[j] += x[j] / train.length;
  for (const x of train) for (let j = 0; j < d; j++) std[j] += (x[j] - mean[j]) ** 2 / train.length;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  let correct = 0;
  test.forEach((x, i) => {
    let best = -1;
    let bestD = Infinity;
    centroids.forEach((c, k) => {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += ((x[j] - c[j]) / std[j]) ** 2;
      if (dist < bestD) {
        bestD = dist;
        best = classes[k];
      }
    });
    if (best === testY[i]) correct++;
  });
  return correct / test.length;
}

/** Segment means of a latent's content code over the clip's active range, centred or not. */
function expectedPooled(model: SpeechAutoencoder, clip: AudioClip, l: Latent, centred: boolean): number[] {
  const { contentDim: dc, poolSegments: k } = model.config;
  const [start, end] = model.activeRange(model.logMel(clip));
  expect(end).toBeGreaterThan(start);
  const content = l.parts!.content.data;
  const mean = (a: number, b: number, j: number) => {
    let m = 0;
    for (let f = a; f < b; f++) m += content[f * dc + j];
    return m / (b - a);
  };
  const out: number[] = [];
  segmentBounds(end - start, k).forEach(([a, b]) => {
    for (let j = 0; j < dc; j++) out.push(mean(start + a, start + b, j) - (centred ? mean(start, end, j) : 0));
  });
  return out;
}

let corpus: SyntheticUtterance[];
let trained: SpeechAutoencoder;
let trainItems: SyntheticUtterance[];
let testItems: SyntheticUtterance[];
let firstLoss: number;
let lastLoss: number;

beforeAll(async () => {
  await initEngine();
  corpus = syntheticSpeechCorpus({ speakers: 6, utterancesPerSpeaker: 16, contents: 4, sampleRate: 8000, seed: 3 });
  // Held out: the last four utterances of every speaker (one of each content).
  trainItems = corpus.filter((_, i) => i % 16 < 12);
  testItems = corpus.filter((_, i) => i % 16 >= 12);
  trained = SpeechAutoencoder.create({ ...SMALL, seed: 5 });
  const h = await trained.fit(
    trainItems.map((u) => u.clip),
    { epochs: 12, batchSize: 24, learningRate: 3e-3, seed: 1 },
  );
  firstLoss = h.loss[0];
  lastLoss = h.loss.at(-1)!;
}, 120_000);

describe('SpeechAutoencoder skeleton', () => {
  it('resolves a config that rebuilds its own inputs', () => {
    const c = resolveSpeechAutoencoderConfig({ sampleRate: 8000 });
    expect(c.kind).toBe('audio/speaker-content-ae');
    expect(c.mel.sampleRate).toBe(8000);
    expect(c.mel.nMels).toBe(40);
    expect(c.mel.hop).toBe(80);
    expect(c.melMean).toBeNull();
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(() => resolveSpeechAutoencoderConfig({ kernelSize: 4 })).toThrow(InvalidArgumentError);
    expect(() => resolveSpeechAutoencoderConfig({ normalization: { mean: [0], std: [1] } })).toThrow(ShapeMismatchError);
  });

  it('a short fit lowers the loss and stores the log-mel statistics', () => {
    expect(lastLoss).toBeLessThan(firstLoss * 0.8);
    expect(trained.config.melMean).toHaveLength(40);
    expect(trained.config.melStd!.every((s) => s > 0)).toBe(true);
    expect(trained.training?.epochs).toBe(12);
  });

  it('encodes into speaker, content-over-time and pooled-content parts', async () => {
    const clips = testItems.slice(0, 3).map((u) => u.clip);
    const latents = await trained.encode(clips);
    const { speakerDim: ds, contentDim: dc, poolSegments: k } = trained.config;
    expect(trained.codeShape).toEqual([ds + k * dc]);
    latents.forEach((l, i) => {
      const frames = Math.floor(clips[i].samples.length / 80) + 1;
      expect(l.shape).toEqual([ds + k * dc]);
      expect(l.modality).toBe('audio');
      expect(l.model).toBe('audio/speaker-content-ae');
      expect(l.parts!.speaker.shape).toEqual([ds]);
      expect(l.parts!.content.shape).toEqual([frames, dc]);
      expect(l.parts!.contentPooled.shape).toEqual([k * dc]);
      expect(Array.from(l.data)).toEqual([...l.parts!.speaker.data, ...l.parts!.contentPooled.data]);
      // The pooled vector is the mean of the content code over each of k equal segments of
      // the clip's active (non-silent) range, minus the mean over the whole range (centerPooled).
      expect(trained.config.centerPooled).toBe(true);
      expect(Array.from(l.parts!.contentPooled.data)).toEqual(expectedPooled(trained, clips[i], l, true).map((v) => expect.closeTo(v, 4)));
      expect(l.data.every(Number.isFinite)).toBe(true);
    });
  });

  it('keeps uncentred pooling for a saved model from before centerPooled', async () => {
    const dir = await tempDir();
    await trained.save(dir);
    const file = join(dir, 'latentkit.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    delete manifest.config.centerPooled;
    delete manifest.config.nuisanceProjection;
    delete manifest.config.nuisanceDirections;
    await writeFile(file, JSON.stringify(manifest));
    const old = await SpeechAutoencoder.load(dir);
    try {
      expect(old.config.centerPooled).toBe(false);
      expect(old.config.nuisanceProjection).toEqual({ speaker: 0, content: 0, decoderEpochs: 0, keepSpeakers: false, chooseSpeaker: false });
      expect(old.config.nuisanceDirections).toBeNull();
      const clip = testItems[0].clip;
      const [l] = await old.encode([clip]);
      expect(Array.from(l.parts!.contentPooled.data)).toEqual(expectedPooled(old, clip, l, false).map((v) => expect.closeTo(v, 4)));
    } finally {
      old.dispose();
    }
  });

  it('gives the same codes for a clip alone or padded in a batch with longer ones', async () => {
    const short: AudioClip = { samples: testItems[0].clip.samples.slice(0, 2000), sampleRate: 8000 };
    const [alone] = await trained.encode([short]);
    const [inBatch] = await trained.encode([testItems[1].clip, short, testItems[2].clip]).then((l) => [l[1]]);
    for (const part of ['speaker', 'content', 'contentPooled']) {
      const a = alone.parts![part].data;
      const b = inBatch.parts![part].data;
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 3);
    }
  });

  it('saves and loads with identical encodings', async () => {
    const dir = await tempDir();
    await trained.save(dir);
    const loaded = await SpeechAutoencoder.load(dir);
    expect(loaded.config).toEqual(trained.config);
    const clips = testItems.slice(0, 4).map((u) => u.clip);
    const [a, b] = [await trained.encode(clips), await loaded.encode(clips)];
    a.forEach((l, i) => {
      expect(Array.from(b[i].data)).toEqual(Array.from(l.data));
      expect(Array.from(b[i].parts!.content.data)).toEqual(Array.from(l.parts!.content.data));
    });
    loaded.dispose();
    await expect(VectorAutoencoder.load(dir)).rejects.toThrow(ModelMismatchError);
  });

  it('decodes mels of the content length and reconstructs clips at its own rate', async () => {
    const clips = testItems.slice(0, 2).map((u) => u.clip);
    const latents = await trained.encode(clips);
    const mels = await trained.decodeMel(latents);
    mels.forEach((m, i) => {
      expect(m.frames).toBe(latents[i].parts!.content.shape[0]);
      expect(m.nMels).toBe(40);
      expect(m.data.every(Number.isFinite)).toBe(true);
    });
    const [rec] = await trained.reconstruct([clips[0]]);
    expect(rec.sampleRate).toBe(8000);
    expect(rec.samples.length).toBe(clips[0].samples.length);
    const l1 = await trained.reconstructionL1(clips);
    expect(l1).toBeGreaterThan(0);
    expect(l1).toBeLessThan(1);
  });

  it('rejects what it cannot encode or decode with typed errors', async () => {
    await expect(trained.encode([{ samples: new Float32Array(0), sampleRate: 8000 }])).rejects.toThrow(EmptyInputError);
    await expect(trained.encode([{ samples: new Float32Array(8000 * 121), sampleRate: 8000 }])).rejects.toThrow(InputTooLargeError);
    const nan = new Float32Array(800).fill(NaN);
    await expect(trained.encode([{ samples: nan, sampleRate: 8000 }])).rejects.toThrow(InvalidArgumentError);
    const untrained = SpeechAutoencoder.create(SMALL);
    await expect(untrained.encode([corpus[0].clip])).rejects.toThrow(InvalidArgumentError);
    untrained.dispose();
    const [l] = await trained.encode([corpus[0].clip]);
    const noParts: Latent = { ...l, parts: undefined };
    await expect(trained.decodeMel([noParts])).rejects.toThrow(InvalidArgumentError);
    const badContent: Latent = { ...l, parts: { ...l.parts!, content: { ...l.parts!.content, shape: [3, 7], data: new Float32Array(21) } } };
    await expect(trained.decodeMel([badContent])).rejects.toThrow(ShapeMismatchError);
  });
});

describe('pooling helpers', () => {
  it('segmentBounds splits frames into near-equal, non-empty parts', () => {
    expect(segmentBounds(10, 4)).toEqual([[0, 2], [2, 5], [5, 7], [7, 10]]);
    expect(segmentBounds(8, 4)).toEqual([[0, 2], [2, 4], [4, 6], [6, 8]]);
    for (const [a, b] of segmentBounds(2, 4)) expect(b - a).toBe(1);
  });

  it('activeRange skips leading and trailing silence', () => {
    const model = SpeechAutoencoder.create(SMALL);
    const samples = new Float32Array(8000); // 1 s at 8 kHz: speech-like burst from 0.3 s to 0.7 s
    for (let i = 2400; i < 5600; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 300 * i) / 8000) + 0.2 * Math.sin((2 * Math.PI * 1700 * i) / 8000);
    for (let i = 0; i < samples.length; i++) samples[i] += 1e-4 * Math.sin(i * 1.7); // a faint floor
    const [start, end] = model.activeRange(model.logMel({ samples, sampleRate: 8000 }));
    // 10 ms frames, centred windows of 25 ms: the burst spans frames ~30-70.
    expect(start).toBeGreaterThanOrEqual(27);
    expect(start).toBeLessThanOrEqual(31);
    expect(end).toBeGreaterThanOrEqual(70);
    expect(end).toBeLessThanOrEqual(74);
    model.dispose();
  });
});

describe('SpeechAutoencoder on the synthetic corpus', () => {
  it('speaker codes separate speakers and pooled content codes separate contents on held-out utterances', async () => {
    const [tr, te] = [await trained.encode(trainItems.map((u) => u.clip)), await trained.encode(testItems.map((u) => u.clip))];
    const part = (ls: Latent[], p: string) => ls.map((l) => l.parts![p].data);
    const speakerAcc = nearestCentroid(part(tr, 'speaker'), trainItems.map((u) => u.speaker), part(te, 'speaker'), testItems.map((u) => u.speaker));
    const contentAcc = nearestCentroid(part(tr, 'contentPooled'), trainItems.map((u) => u.content), part(te, 'contentPooled'), testItems.map((u) => u.content));
    // Chance: 1/6 for speakers, 1/4 for contents.
    const speakerFromContent = nearestCentroid(part(tr, 'contentPooled'), trainItems.map((u) => u.speaker), part(te, 'contentPooled'), testItems.map((u) => u.speaker));
    const contentFromSpeaker = nearestCentroid(part(tr, 'speaker'), trainItems.map((u) => u.content), part(te, 'speaker'), testItems.map((u) => u.content));
    console.log(`synthetic corpus, held out: speaker ${speakerAcc.toFixed(2)}, content ${contentAcc.toFixed(2)}, speaker<-content ${speakerFromContent.toFixed(2)}, content<-speaker ${contentFromSpeaker.toFixed(2)}`);
    expect(speakerAcc).toBeGreaterThanOrEqual(0.75);
    expect(contentAcc).toBeGreaterThanOrEqual(0.75);
    // Each code tells its own factor clearly better than the other code does.
    expect(speakerAcc).toBeGreaterThan(speakerFromContent + 0.15);
    expect(contentAcc).toBeGreaterThan(contentFromSpeaker + 0.15);
  });

  it('converts a clip into another voice, keeping its duration, at the model rate', async () => {
    const source = testItems[0].clip; // speaker 0
    const target = testItems.find((u) => u.speaker === 3)!.clip;
    const converted = await trained.convert(source, target);
    expect(converted.sampleRate).toBe(8000);
    expect(Math.abs(converted.samples.length - source.samples.length)).toBeLessThanOrEqual(80);
    expect(converted.samples.every(Number.isFinite)).toBe(true);
    // A resampled source gives a clip of the same duration at the model's rate.
    const at16k: AudioClip = { samples: new Float32Array(16000), sampleRate: 16000 };
    at16k.samples.set(syntheticSpeechCorpus({ speakers: 1, utterancesPerSpeaker: 1, sampleRate: 16000, seed: 9 })[0].clip.samples.slice(0, 16000));
    const c2 = await trained.convert(at16k, target);
    expect(c2.sampleRate).toBe(8000);
    expect(Math.abs(c2.samples.length - 8000)).toBeLessThanOrEqual(80);
    // The conversion sounds more like the target than the source does (by speaker code).
    const [src, tgt, conv] = await trained.encode([source, target, converted]);
    expect(await trained.speakerSimilarity(conv, tgt)).toBeGreaterThan(await trained.speakerSimilarity(src, tgt));
  });

  it('speakerSimilarity accepts clips and latents and is a cosine', async () => {
    const [a, b] = [testItems[0].clip, testItems[1].clip];
    const [la, lb] = await trained.encode([a, b]);
    const fromClips = await trained.speakerSimilarity(a, b);
    expect(await trained.speakerSimilarity(la, lb)).toBeCloseTo(fromClips, 5);
    expect(await trained.speakerSimilarity(la.parts!.speaker, b)).toBeCloseTo(fromClips, 5);
    expect(await trained.speakerSimilarity(la, a)).toBeCloseTo(1, 5);
    expect(fromClips).toBeLessThanOrEqual(1);
    await expect(trained.speakerSimilarity({ ...la, parts: undefined, shape: [3], data: new Float32Array(3) }, b)).rejects.toThrow(ShapeMismatchError);
  });
});

describe('SpeechAutoencoder with speaker labels (weak supervision)', () => {
  it('decodes with other same-speaker clips\' codes, matches speakers\' content means, and ignores labels when encoding', async () => {
    const model = SpeechAutoencoder.create({ ...SMALL, seed: 5, nuisanceProjection: { speaker: 4 } });
    try {
      const labelled = trainItems.map((u) => ({ ...u.clip, speaker: `s${u.speaker}` }));
      const h = await model.fit(labelled, { epochs: 6, batchSize: 24, learningRate: 3e-3, seed: 1 });
      const last = h.metrics.at(-1)!;
      // With labels on every clip the partner reconstruction replaces the own-code one.
      expect(Object.keys(last).sort()).toEqual(['kl', 'match', 'partner', 'spread']);
      expect(h.metrics[0].match).toBeGreaterThan(last.match);
      expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]);
      const [a] = await model.encode([labelled[0]]);
      const [b] = await model.encode([trainItems[0].clip]);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      expect(model.config.nuisanceDirections).not.toBeNull();
      // Without labels the same model trains as before, and drops the projection fitted to the old codes.
      const plain = await model.fit(trainItems.map((u) => u.clip), { epochs: 1, batchSize: 24, seed: 2 });
      expect(Object.keys(plain.metrics[0]).sort()).toEqual(['kl', 'recon']);
      expect(model.config.nuisanceDirections).toBeNull();
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('codeDecorrelation lowers the cross-correlation of speaker and pooled content codes on held-out clips', async () => {
    const crossCorrelation = (ls: Latent[]): number => {
      const cols = (p: string) => {
        const xs = ls.map((l) => l.parts![p].data);
        const d = xs[0].length;
        return Array.from({ length: d }, (_, j) => {
          const v = xs.map((x) => x[j]);
          const m = v.reduce((a, b) => a + b, 0) / v.length;
          const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) + 1e-9;
          return v.map((x) => (x - m) / sd);
        });
      };
      const [s, c] = [cols('speaker'), cols('contentPooled')];
      let sum = 0;
      for (const a of s) for (const b of c) sum += (a.reduce((acc, x, i) => acc + x * b[i], 0) / a.length) ** 2;
      return sum / (s.length * c.length);
    };
    const measured: number[] = [];
    for (const codeDecorrelation of [0, 5]) {
      const model = SpeechAutoencoder.create({ ...SMALL, seed: 5, codeDecorrelation });
      try {
        const h = await model.fit(trainItems.map((u) => u.clip), { epochs: 6, batchSize: 24, learningRate: 3e-3, seed: 1 });
        expect(h.metrics[0].decor === undefined).toBe(codeDecorrelation === 0);
        measured.push(crossCorrelation(await model.encode(corpus.map((u) => u.clip))));
      } finally {
        model.dispose();
      }
    }
    console.log(`mean squared cross-correlation, speaker x pooled content: ${measured.map((x) => x.toFixed(3)).join(' (off) vs ')} (codeDecorrelation 5)`);
    expect(measured[1]).toBeLessThan(measured[0] * 0.7);
  }, 120_000);

  it('projects out within-speaker directions of speaker codes and speaker-mean directions of pooled content', async () => {
    const model = SpeechAutoencoder.create({ ...SMALL, seed: 5, nuisanceProjection: { speaker: 4, content: 2 } });
    try {
      const labels = trainItems.map((u) => `s${u.speaker}`);
      await model.fit(trainItems.map((u, i) => ({ ...u.clip, speaker: labels[i] })), { epochs: 6, batchSize: 24, learningRate: 3e-3, seed: 1 });
      const dirs = model.config.nuisanceDirections!;
      expect(dirs.speaker).toHaveLength(4); // speakerDim 16 / 4
      expect(dirs.content).toHaveLength(2);
      const projected = await model.encode(trainItems.map((u) => u.clip));
      for (const l of projected.slice(0, 10)) {
        // Around the training mean, nothing is left along the removed directions.
        for (const v of dirs.speaker) expect(Math.abs(v.reduce((t, x, j) => t + x * (l.parts!.speaker.data[j] - dirs.speakerMean[j]), 0))).toBeLessThan(1e-4);
        for (const v of dirs.content) expect(Math.abs(v.reduce((t, x, j) => t + x * (l.parts!.contentPooled.data[j] - dirs.contentMean[j]), 0))).toBeLessThan(1e-4);
      }
      const clips = trainItems.map((u) => u.clip);
      model.config.nuisanceDirections = null;
      const raw = await model.encode(clips);
      const l1Raw = await model.reconstructionL1(clips);
      model.config.nuisanceDirections = dirs;
      // Projected around the mean, the decoder still gets codes like those it trained on.
      const l1 = await model.reconstructionL1(clips);
      console.log(`reconstruction L1 with the raw / projected speaker code: ${l1Raw.toFixed(3)} / ${l1.toFixed(3)}`);
      expect(l1).toBeLessThan(l1Raw * 1.15);
      // Within-speaker (speaker code) or between-speaker (pooled content) scatter, summed over dimensions.
      const scatter = (ls: Latent[], part: 'speaker' | 'contentPooled', kind: 'within' | 'between') => {
        const xs = ls.map((l) => l.parts![part].data);
        const d = xs[0].length;
        const mean = (rows: Float32Array[]) => Array.from({ length: d }, (_, j) => rows.reduce((t, x) => t + x[j], 0) / rows.length);
        const all = mean(xs);
        let sum = 0;
        for (const s of new Set(labels)) {
          const rows = xs.filter((_, i) => labels[i] === s);
          const m = mean(rows);
          for (const x of rows) for (let j = 0; j < d; j++) sum += kind === 'within' ? (x[j] - m[j]) ** 2 : (m[j] - all[j]) ** 2;
        }
        return sum;
      };
      const [w0, w1] = [scatter(raw, 'speaker', 'within'), scatter(projected, 'speaker', 'within')];
      const [b0, b1] = [scatter(raw, 'contentPooled', 'between'), scatter(projected, 'contentPooled', 'between')];
      console.log(`within-speaker scatter of speaker codes ${w0.toFixed(3)} -> ${w1.toFixed(3)}; between-speaker scatter of pooled content ${b0.toFixed(3)} -> ${b1.toFixed(3)}`);
      // The top 4 of 16 within directions and the top 2 of 5 between directions carry most of each.
      expect(w1).toBeLessThan(w0 * 0.6);
      expect(b1).toBeLessThan(b0 * 0.6);
      // Saved and loaded with the model.
      const dir = await tempDir();
      await model.save(dir);
      const back = await SpeechAutoencoder.load(dir);
      try {
        expect(back.config.nuisanceDirections).toEqual(dirs);
        const clip = trainItems[0].clip;
        expect(Array.from((await back.encode([clip]))[0].data)).toEqual(Array.from((await model.encode([clip]))[0].data));
      } finally {
        back.dispose();
      }
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('validates the weak-supervision weights', () => {
    expect(() => resolveSpeechAutoencoderConfig({ speakerDim: 16, nuisanceProjection: { speaker: 16 } })).toThrow(/nuisanceProjection.speaker must be an integer in \[0, 15\]/);
    expect(() => resolveSpeechAutoencoderConfig({ nuisanceDirections: { speaker: [[1, 2]], content: [], speakerMean: [], contentMean: [] } })).toThrow(/nuisanceDirections.speaker must be/);
    expect(resolveSpeechAutoencoderConfig({}).nuisanceProjection).toEqual({ speaker: 0, content: 0, decoderEpochs: 3, keepSpeakers: false, chooseSpeaker: false });
    expect(() => resolveSpeechAutoencoderConfig({ nuisanceProjection: { keepSpeakers: 'yes' as unknown as boolean } })).toThrow(/nuisanceProjection.keepSpeakers/);
    expect(() => resolveSpeechAutoencoderConfig({ codeDecorrelation: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => resolveSpeechAutoencoderConfig({ sameSpeakerSwap: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => resolveSpeechAutoencoderConfig({ contentSpeakerMatch: -1 })).toThrow(InvalidArgumentError);
    expect(() => resolveSpeechAutoencoderConfig({ sameSpeakerPull: Number.NaN })).toThrow(InvalidArgumentError);
    expect(resolveSpeechAutoencoderConfig({}).sameSpeakerSwap).toBe(1);
  });
});
