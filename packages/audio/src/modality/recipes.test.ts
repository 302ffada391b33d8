import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type LoadedDataset } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import type { SpeechAutoencoder } from '../models/speech-autoencoder.js';
import { syntheticSpeechCorpus } from '../synth/synthetic-corpus.js';
import { labelsOf } from './datasets.js';
import { resolveSpeakerSettings } from './recipe-settings.js';
import { audioRecipes, defaultSpeechRecipe, FEW_SPEAKERS_MIN_CLIPS, trainSpeechDefault } from './recipes.js';

/** Two synthetic voices, three short utterances each, labelled as a layout would. */
function tinyData(withLabels = true): LoadedDataset<AudioClip> {
  const corpus = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 3, contents: 3, sampleRate: 8000, seed: 4 });
  return {
    samples: corpus.map((u) => ({ samples: u.clip.samples.slice(0, 2400), sampleRate: 8000 })),
    labels: withLabels ? { speaker: labelsOf(corpus.map((u) => u.speakerName)) } : {},
    source: 'tiny synthetic',
    layout: 'test',
    facts: { sampleRate: 8000, ...(withLabels ? { speakerLabels: 'file names (test)' } : {}) },
  };
}

// Fast schedules: what is checked is what the recipe does with the data, not how well it trains.
const FIT = { epochs: 1, batchSize: 8, seed: 3 };

describe('audio recipes', () => {
  it('are default, many-voices, few-speakers and unlabelled, each documented with its settings', () => {
    expect(audioRecipes.map((r) => r.name)).toEqual(['default', 'many-voices', 'few-speakers', 'unlabelled']);
    for (const r of audioRecipes) expect(r.describe.length).toBeGreaterThan(40);
    expect(audioRecipes[0].settings.map((s) => s.name)).toEqual(['labels', 'latent-dim', 'speed', 'speaker-directions', 'content-directions']);
    expect(audioRecipes[1].describe).toMatch(/EER 0\.056/);
  });

  it('default picks few-speakers, many-voices or unlabelled from the labels', () => {
    const data = tinyData();
    expect(defaultSpeechRecipe(data)).toBe('many-voices');
    expect(defaultSpeechRecipe(data, 'none')).toBe('unlabelled');
    expect(defaultSpeechRecipe(tinyData(false))).toBe('unlabelled');
    const many = { ...data, samples: Array(2 * FEW_SPEAKERS_MIN_CLIPS).fill(data.samples[0]), labels: { speaker: labelsOf(Array.from({ length: 2 * FEW_SPEAKERS_MIN_CLIPS }, (_, i) => `s${i % 2}`)) } };
    expect(defaultSpeechRecipe(many)).toBe('few-speakers');
    // A sample without a label (-1) leaves the data unlabelled rather than half-labelled.
    expect(defaultSpeechRecipe({ ...data, labels: { speaker: { values: [0, 0, 0, 1, 1, -1], names: ['a', 'b'] } } })).toBe('unlabelled');
  });

  it('trains with the layout\'s speaker labels, speed copies as new voices and the projection, and says so', async () => {
    const lines: string[] = [];
    const { model, notes } = await trainSpeechDefault(tinyData(), { settings: { 'speaker-directions': 2 }, fit: FIT, log: (l) => lines.push(l) });
    try {
      expect(lines[0]).toBe("audio default: training as 'many-voices' (6 clips of 2 speakers)");
      expect(lines[1]).toBe('audio many-voices: training with 2 speaker labels from file names (test), plus copies at 0.9x and 1.1x speed as 4 more voices; 18 clips');
      expect(notes[0]).toBe('trained with 2 speaker labels from file names (test), plus copies at 0.9x and 1.1x speed as 4 more voices');
      expect(notes[1]).toMatch(/^nuisance projection: 2 speaker and 0 content directions/);
      const config = (model as SpeechAutoencoder).config;
      expect(config.nuisanceDirections?.speaker).toHaveLength(2);
      expect(config.sampleRate).toBe(8000);
      expect(config.conditionContent).toBe(false);
      expect(config.seed).toBe(3);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('--labels none trains without labels, copies or projection', async () => {
    const lines: string[] = [];
    const recipe = audioRecipes.find((r) => r.name === 'many-voices')!;
    const { model, notes } = await recipe.train(tinyData(), { settings: { labels: 'none', speed: ['0.9', '1.2'] }, fit: FIT, log: (l) => lines.push(l) });
    try {
      expect(lines[0]).toBe('audio many-voices: training without speaker labels (--labels none): no speed copies, no projection; 6 clips');
      expect(notes).toEqual(['trained without speaker labels (--labels none): no speed copies, no projection']);
      expect((model as SpeechAutoencoder).config.nuisanceDirections).toBeNull();
    } finally {
      model.dispose();
    }
    const byDefault: string[] = [];
    const plain = await trainSpeechDefault(tinyData(), { settings: { labels: 'none' }, fit: FIT, log: (l) => byDefault.push(l) });
    plain.model.dispose();
    expect(byDefault[0]).toBe("audio default: training as 'unlabelled' (--labels none)");
    expect(plain.notes).toEqual(['trained without speaker labels (recipe unlabelled)']);
  }, 120_000);

  it('validates settings with typed errors before training', async () => {
    const where = 'recipe setting';
    const fails = (given: Record<string, unknown>, pattern: RegExp) => {
      expect(() => resolveSpeakerSettings(given as never, where)).toThrow(InvalidArgumentError);
      expect(() => resolveSpeakerSettings(given as never, where)).toThrow(pattern);
    };
    fails({ labels: 'maybe' }, /'labels' must be one of auto, none/);
    fails({ speed: ['3'] }, /'speed' must be factors in \[0\.5, 2\], got "3"/);
    fails({ speed: ['fast'] }, /'speed' must be factors/);
    fails({ 'speaker-directions': 64 }, /smaller than the speaker code \(64\)/);
    fails({ 'speaker-directions': 8, 'latent-dim': 8 }, /smaller than the speaker code \(8\)/);
    fails({ 'content-directions': -1 }, /at least 0/);
    fails({ epochs: 3 }, /'epochs' does not exist here/);
    expect(resolveSpeakerSettings({ speed: ['0.9,1.1', '1'] }, where).speed).toEqual([0.9, 1.1]);
    expect(resolveSpeakerSettings({ speed: ['1'] }, where).speed).toEqual([]);
    expect(resolveSpeakerSettings({}, where)).toEqual({ labels: 'auto' });
    await expect(trainSpeechDefault(tinyData(), { settings: { speed: ['9'] }, fit: FIT })).rejects.toBeInstanceOf(InvalidArgumentError);
    const unlabelled = audioRecipes.find((r) => r.name === 'unlabelled')!;
    await expect(unlabelled.train(tinyData(), { settings: { speed: ['1'] }, fit: FIT })).rejects.toThrow(/'speed' does not exist here/);
  });
});
