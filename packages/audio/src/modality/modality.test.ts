import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputLimitError, isModalityDescriptor } from '@latentkit/core';
import { encodeWav16, writeWav } from '../io/write-wav.js';
import { syntheticSpeechCorpus } from '../synth/synthetic-corpus.js';
import { audioModality } from './descriptor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-audio-modality-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audioModality', () => {
  it('reads and writes WAVs, names its parts, and refuses to decode [n, d] rows', async () => {
    expect(isModalityDescriptor(audioModality)).toBe(true);
    const [u] = syntheticSpeechCorpus({ speakers: 1, utterancesPerSpeaker: 1, seed: 1 });
    const [clip] = await audioModality.codec.decode(encodeWav16(u.clip), { name: 'a.wav' });
    expect(clip.sampleRate).toBe(u.clip.sampleRate);
    expect(clip.samples.length).toBe(u.clip.samples.length);
    const [file] = await audioModality.codec.encode([clip]);
    expect(new TextDecoder().decode(file.bytes.subarray(0, 4))).toBe('RIFF');
    expect(audioModality.parts.map((p) => [p.name, p.latentPart])).toEqual([['speaker', 'speaker'], ['content', 'contentPooled']]);
    expect(audioModality.rowDecoding).toMatch(/content code over time/);
    await expect(audioModality.codec.decode(new Uint8Array(10), { name: 'bad.wav' })).rejects.toThrow(/bad\.wav/);
  });

  it('refuses a clip past limits.maxSeconds from the header, naming the limit', async () => {
    const clip = { samples: new Float32Array(16000 * 3), sampleRate: 16000 };
    const bytes = encodeWav16(clip);
    const err = await audioModality.codec.decode(bytes, { name: 'long.wav', limits: { maxSeconds: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputLimitError);
    expect(err).toMatchObject({ limit: 'maxSeconds', max: 2, actual: 3 });
    expect(await audioModality.codec.decode(bytes, { limits: { maxSeconds: 3 } })).toHaveLength(1);
  });

  it('reads a folder of WAVs with the folder name as the speaker label', async () => {
    const corpus = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 2, seed: 2 });
    for (const [i, u] of corpus.entries()) {
      await mkdir(join(dir, 'voices', u.speakerName), { recursive: true });
      await writeWav(join(dir, 'voices', u.speakerName, `${i}.wav`), u.clip);
    }
    const layouts = audioModality.datasets;
    const detected = [];
    for (const l of layouts) if (await l.detect(join(dir, 'voices'))) detected.push(l.name);
    expect(detected).toEqual(['wav-folder']);
    const data = await layouts.find((l) => l.name === 'wav-folder')!.load(join(dir, 'voices'));
    expect(data.samples).toHaveLength(4);
    expect(data.labels.speaker.names).toEqual([...new Set(corpus.map((u) => u.speakerName))].sort());
    expect(data.facts?.sampleRate).toBe(corpus[0].clip.sampleRate);
    const embedded = await audioModality.embedded!.load({ seed: 1 });
    expect(embedded.labels.speaker.names).toHaveLength(6);
    expect(embedded.samples).toHaveLength(72);
  });
});
