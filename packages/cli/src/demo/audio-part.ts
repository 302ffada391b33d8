/**
 * @file Demo, speech: the speaker/content speech autoencoder trained on the synthetic speech
 * corpus (or FSDD with --data); voice conversion with audio players, and scatter plots of the
 * speaker codes (coloured by speaker) and content codes (coloured by what was said).
 */
import { selectPart, toMatrix } from '@latentkit/core';
import type { AudioClip } from '@latentkit/audio';
import { loadAudioData, type AudioData } from '../lib/data.js';
import { fitWithBudget } from '../lib/fit.js';
import { pcaScatter, type DemoContext, type LabelledCodes } from './context.js';
import type { ReportSection } from './report.js';

/** What the audio part hands to later parts. */
export interface AudioPartResult {
  section: ReportSection;
  /** Time-pooled content codes of the held-out clips, labelled by what was said. */
  content: LabelledCodes;
  /** Speaker codes of the held-out clips, labelled by speaker. */
  speaker: LabelledCodes;
}

function seconds(c: AudioClip): string {
  return `${(c.samples.length / c.sampleRate).toFixed(2)} s`;
}

/** Train and held-out clips: the synthetic corpus (held out = new recordings of the same voices) or FSDD train/test. */
async function loadSets(ctx: DemoContext): Promise<{ train: AudioData; test: AudioData }> {
  const { plan } = ctx;
  if (ctx.data === undefined) {
    const train = await loadAudioData(undefined, { speakers: plan.speakers, utterancesPerSpeaker: plan.utterances, seed: ctx.seed });
    const test = await loadAudioData(undefined, { speakers: plan.speakers, utterancesPerSpeaker: plan.testUtterances, seed: ctx.seed + 1 });
    return { train, test: { ...test, source: `new recordings of the same voices (${test.clips.length} clips)` } };
  }
  const all = await loadAudioData(ctx.data, { split: 'train' });
  // An even spread over speakers, digits and takes, within the budget.
  const step = Math.max(1, Math.floor(all.clips.length / plan.fsddTrain));
  const keep = all.clips.map((_, i) => i).filter((i) => i % step === 0).slice(0, plan.fsddTrain);
  const train: AudioData = {
    ...all,
    clips: keep.map((i) => all.clips[i]),
    speakers: keep.map((i) => all.speakers[i]),
    contents: keep.map((i) => all.contents[i]),
    source: `FSDD train (${keep.length} of ${all.clips.length} clips)`,
  };
  const test = await loadAudioData(ctx.data, { split: 'test' });
  return { train, test };
}

/**
 * Runs the speech stages and writes `audio/*.wav` and `audio/*.png`.
 * @param ctx the demo context.
 * @returns the report section and the codes for the cross-modal part.
 */
export async function runAudioPart(ctx: DemoContext): Promise<AudioPartResult> {
  const audio = await import('@latentkit/audio');
  const { plan, out } = ctx;
  const { train, test } = await ctx.stages.run('audio: data', 5, async () => {
    const sets = await loadSets(ctx);
    ctx.log(`  ${sets.train.source}; held out: ${sets.test.source}`);
    return sets;
  });
  const model = audio.SpeechAutoencoder.create({ sampleRate: train.sampleRate, channels: 48, seed: ctx.seed });
  try {
    const fit = await ctx.stages.run('audio: speech autoencoder', plan.audioSeconds + 3, () =>
      fitWithBudget('audio speech-ae', model, train.clips, { epochs: plan.audioEpochs, batchSize: 16, seed: ctx.seed, learningRate: 2e-3 }, { ...ctx.progress, budgetSeconds: plan.audioSeconds }),
    );
    return await ctx.stages.run('audio: conversion and figures', 12, async () => {
      const latents = await model.encode(test.clips);
      const speakerCodes = toMatrix(selectPart(latents, 'speaker'));
      const contentCodes = toMatrix(selectPart(latents, 'contentPooled'));
      const speakerNames = [...new Set(test.speakers)];
      const speakerLabels = test.speakers.map((s) => speakerNames.indexOf(s));
      const sp = await pcaScatter(speakerCodes, test.speakers, 'speaker codes of held-out clips');
      await out.write('audio/speaker-scatter.png', sp.png);
      const ct = await pcaScatter(contentCodes, test.contents.map((c) => test.contentNames[c] ?? '?'), 'content codes of held-out clips');
      await out.write('audio/content-scatter.png', ct.png);

      // Source: the first held-out clip of the first speaker; target: a clip of a speaker far in pitch.
      const srcIndex = 0;
      const otherSpeaker = speakerNames[Math.min(1, speakerNames.length - 1)];
      const tgtIndex = test.speakers.findIndex((s, i) => s === otherSpeaker && test.contents[i] !== test.contents[srcIndex]);
      const tIdx = tgtIndex >= 0 ? tgtIndex : test.speakers.findIndex((s) => s === otherSpeaker);
      const source = test.clips[srcIndex];
      const target = test.clips[tIdx];
      const converted = await model.convert(source, target);
      const [reconstruction] = await model.reconstruct([source]);
      await out.write('audio/source.wav', audio.encodeWav16(source));
      await out.write('audio/target-voice.wav', audio.encodeWav16(target));
      await out.write('audio/converted.wav', audio.encodeWav16(converted));
      await out.write('audio/reconstruction.wav', audio.encodeWav16(reconstruction));
      const [toTarget, toSource, sourceTarget] = [
        await model.speakerSimilarity(converted, target),
        await model.speakerSimilarity(converted, source),
        await model.speakerSimilarity(source, target),
      ];
      const what = (i: number) => test.contentNames[test.contents[i]] ?? 'speech';
      const section: ReportSection = {
        id: 'audio',
        title: 'Speech',
        items: [
          {
            type: 'text',
            text:
              `Speaker/content speech autoencoder trained on ${train.source}: ${fit.epochs} epoch(s) in ${fit.seconds.toFixed(1)} s` +
              `${fit.stoppedByBudget ? ' (time budget reached)' : ''}. The held-out clips are ${test.source}. ` +
              'Audio is rebuilt from predicted log-mel spectrograms with Griffin-Lim, so it sounds buzzy; what matters is whose voice and which sounds.',
          },
          { type: 'audio', src: 'audio/source.wav', caption: `Source: ${test.speakers[srcIndex]} says "${what(srcIndex)}" (${seconds(source)}).` },
          { type: 'audio', src: 'audio/target-voice.wav', caption: `Target voice: ${test.speakers[tIdx]} says "${what(tIdx)}".` },
          { type: 'audio', src: 'audio/converted.wav', caption: `Converted: "${what(srcIndex)}" with ${test.speakers[srcIndex]}'s content code and ${test.speakers[tIdx]}'s speaker code.` },
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
          { type: 'image', src: 'audio/speaker-scatter.png', caption: 'Speaker codes of held-out clips (PCA), coloured by speaker: one cluster per voice means the code captures who speaks.' },
          { type: 'image', src: 'audio/content-scatter.png', caption: 'Time-pooled content codes of the same clips, coloured by what was said.' },
        ],
      };
      const concept = test.contentNames.length === 10 && test.contentNames[0] === 'zero' ? 'digit' : 'vowel sequence';
      return {
        section,
        content: { name: 'audio (speech AE content)', codes: contentCodes, labels: test.contents, classNames: test.contentNames, concept },
        speaker: { name: 'audio (speech AE speaker)', codes: speakerCodes, labels: speakerLabels, classNames: speakerNames, concept: 'speaker' },
      };
    });
  } finally {
    model.dispose();
  }
}
