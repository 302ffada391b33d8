/**
 * @file The speech part of `latentkit demo`: the speaker/content autoencoder trained on the
 * synthetic corpus (or FSDD from the data folder); voice conversion with audio players, and
 * scatter plots of speaker codes (by speaker) and content codes (by what was said).
 */
import { selectPart, toMatrix, type LoadedDataset, type ModalityShowcase, type ShowcaseContext, type ShowcaseResult } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { encodeWav16 } from '../io/write-wav.js';
import { SpeechAutoencoder } from '../models/speech-autoencoder.js';
import { fsddLayout, loadEmbeddedSpeech } from './datasets.js';

/** Sizes and the training time limit (s). */
function plan(quick: boolean) {
  return quick
    ? { speakers: 3, utterances: 4, testUtterances: 4, fsddTrain: 60, epochs: 2, seconds: 4 }
    : { speakers: 8, utterances: 16, testUtterances: 8, fsddTrain: 600, epochs: 60, seconds: 42 };
}

function seconds(c: AudioClip): string {
  return `${(c.samples.length / c.sampleRate).toFixed(2)} s`;
}

/** Train and held-out clips: the synthetic corpus (held out = new recordings of the same voices) or FSDD train/test. */
async function loadSets(ctx: ShowcaseContext, p: ReturnType<typeof plan>): Promise<{ train: LoadedDataset<AudioClip>; test: LoadedDataset<AudioClip> }> {
  if (ctx.dataDir === undefined) {
    const train = await loadEmbeddedSpeech({ speakers: p.speakers, utterancesPerSpeaker: p.utterances, seed: ctx.seed });
    const test = await loadEmbeddedSpeech({ speakers: p.speakers, utterancesPerSpeaker: p.testUtterances, seed: ctx.seed + 1 });
    return { train, test: { ...test, source: `new recordings of the same voices (${test.samples.length} clips)` } };
  }
  const all = await fsddLayout.load(ctx.dataDir, { split: 'train' });
  // An even spread over speakers, digits and takes, within the budget.
  const step = Math.max(1, Math.floor(all.samples.length / p.fsddTrain));
  const keep = all.samples.map((_, i) => i).filter((i) => i % step === 0).slice(0, p.fsddTrain);
  const train = { ...all, samples: keep.map((i) => all.samples[i]), source: `FSDD train (${keep.length} of ${all.samples.length} clips)` };
  return { train, test: await fsddLayout.load(ctx.dataDir, { split: 'test' }) };
}

async function run(ctx: ShowcaseContext): Promise<ShowcaseResult> {
  const p = plan(ctx.quick);
  const { train, test } = await ctx.stage('audio: data', 5, async () => {
    const sets = await loadSets(ctx, p);
    ctx.log(`  ${sets.train.source}; held out: ${sets.test.source}`);
    return sets;
  });
  const sampleRate = typeof train.facts?.sampleRate === 'number' ? train.facts.sampleRate : train.samples[0].sampleRate;
  const model = SpeechAutoencoder.create({ sampleRate, channels: 48, seed: ctx.seed });
  try {
    const fit = await ctx.stage('audio: speech autoencoder', p.seconds + 3, () =>
      model.fit(train.samples, ctx.fit('audio speech-ae', { epochs: p.epochs, batchSize: 16, seed: ctx.seed, learningRate: 2e-3, timeLimitMs: p.seconds * 1000 })),
    );
    return await ctx.stage('audio: conversion and figures', 12, async () => {
      const clips = test.samples;
      const speakers = test.labels.speaker;
      const content = test.labels.content;
      const speakerOf = (i: number) => speakers.names[speakers.values[i]];
      const what = (i: number) => content.names[content.values[i]] ?? 'speech';
      const latents = await model.encode(clips);
      const speakerCodes = toMatrix(selectPart(latents, 'speaker'));
      const contentCodes = toMatrix(selectPart(latents, 'contentPooled'));
      const sp = await ctx.plotCodes('audio/speaker-scatter', speakerCodes, clips.map((_, i) => speakerOf(i)), 'speaker codes of held-out clips');
      const ct = await ctx.plotCodes('audio/content-scatter', contentCodes, clips.map((_, i) => what(i)), 'content codes of held-out clips');

      // Source: the first held-out clip; target: another voice saying something else.
      const src = 0;
      const other = Math.min(1, speakers.names.length - 1);
      const saysOther = speakers.values.findIndex((s, i) => s === other && content.values[i] !== content.values[src]);
      const tgt = saysOther >= 0 ? saysOther : speakers.values.findIndex((s) => s === other);
      const [source, target] = [clips[src], clips[tgt]];
      const converted = await model.convert(source, target);
      const [reconstruction] = await model.reconstruct([source]);
      await ctx.out.write('audio/source.wav', encodeWav16(source));
      await ctx.out.write('audio/target-voice.wav', encodeWav16(target));
      await ctx.out.write('audio/converted.wav', encodeWav16(converted));
      await ctx.out.write('audio/reconstruction.wav', encodeWav16(reconstruction));
      const [toTarget, toSource, sourceTarget] = [
        await model.speakerSimilarity(converted, target),
        await model.speakerSimilarity(converted, source),
        await model.speakerSimilarity(source, target),
      ];
      const concept = content.names.length === 10 && content.names[0] === 'zero' ? 'digit' : 'vowel sequence';
      return {
        section: {
          id: 'audio',
          title: 'Speech',
          items: [
            {
              type: 'text',
              text:
                `Speaker/content speech autoencoder trained on ${train.source}: ${fit.epochs.length} epoch(s) in ${fit.seconds.toFixed(1)} s` +
                `${fit.stoppedByTimeLimit ? ' (time limit reached)' : ''}. The held-out clips are ${test.source}. ` +
                'Audio is rebuilt from predicted log-mel spectrograms with Griffin-Lim, so it sounds buzzy; what matters is whose voice and which sounds.',
            },
            { type: 'audio', src: 'audio/source.wav', caption: `Source: ${speakerOf(src)} says "${what(src)}" (${seconds(source)}).` },
            { type: 'audio', src: 'audio/target-voice.wav', caption: `Target voice: ${speakerOf(tgt)} says "${what(tgt)}".` },
            { type: 'audio', src: 'audio/converted.wav', caption: `Converted: "${what(src)}" with ${speakerOf(src)}'s content code and ${speakerOf(tgt)}'s speaker code.` },
            { type: 'audio', src: 'audio/reconstruction.wav', caption: 'Reconstruction of the source (its own content and speaker codes), for comparison.' },
            {
              type: 'table',
              caption: 'Speaker-code cosine similarity (1 = same direction)',
              header: ['pair', 'cosine'],
              rows: [
                ['converted vs target voice', toTarget],
                ['converted vs source voice', toSource],
                ['source vs target (before conversion)', sourceTarget],
              ],
            },
            { type: 'image', src: sp.src, caption: 'Speaker codes of held-out clips (PCA), coloured by speaker: one cluster per voice means the code captures who speaks.' },
            { type: 'image', src: ct.src, caption: 'Time-pooled content codes of the same clips, coloured by what was said.' },
          ],
        },
        // What was said is what other modalities can share; who said it is not compared.
        codes: [{ name: 'audio (speech AE content)', codes: contentCodes, labels: [...content.values], classNames: [...content.names], concept, items: 'held-out clips' }],
      };
    });
  } finally {
    model.dispose();
  }
}

/** The speech part of `latentkit demo`. */
export const audioShowcase: ModalityShowcase = { describe: 'speaker/content speech autoencoder and voice conversion', run };
