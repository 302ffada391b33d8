/**
 * @file The audio modality descriptor: what the CLI, the demo, the benchmarks and servers need
 * to handle speech without naming it (see core's ModalityDescriptor).
 */
import type { ModalityDescriptor } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { SpeechAutoencoder } from '../models/speech-autoencoder.js';
import { audioCodec } from './codec.js';
import { convertVoiceOperation } from './convert-voice.js';
import { embeddedSpeech, fsddLayout, ttsSpeakersLayout, wavFolderLayout } from './datasets.js';
import { audioRecipes } from './recipes.js';
import { audioShowcase } from './showcase.js';

/**
 * Speech: WAV in and out; FSDD, tts-speakers and WAV-folder datasets with speaker labels (a
 * WAV folder's from its manifest, folders or file names; see speaker-labels.ts) and the recipes
 * that train with them (recipes.ts); the speaker/content autoencoder, whose codes have
 * `speaker` and `content` parts; the `convert-voice` operation.
 * @example
 * ```ts
 * import { registerModality } from '@latentkit/core';
 * import { audioModality } from '@latentkit/audio';
 * registerModality(audioModality);
 * ```
 */
export const audioModality: ModalityDescriptor<AudioClip> = {
  name: 'audio',
  describe: 'speech (WAV) through a speaker/content autoencoder',
  packageName: '@latentkit/audio',
  models: [SpeechAutoencoder],
  parts: [
    { name: 'speaker', latentPart: 'speaker', describe: 'who speaks: the speaker code' },
    { name: 'content', latentPart: 'contentPooled', describe: 'what is said: the content code pooled over time' },
  ],
  codec: audioCodec,
  rowDecoding: 'Speech models decode a content code over time plus a speaker code, which a [n, d] .npy does not hold; use reconstruct or convert-voice.',
  encodeBatchSize: 32,
  recipes: audioRecipes,
  datasets: [fsddLayout, ttsSpeakersLayout, wavFolderLayout],
  embedded: embeddedSpeech,
  operations: [convertVoiceOperation],
  showcase: audioShowcase,
  examples: {
    train: [
      ['$0 train audio --out models/voices --epochs 30', 'speaker/content speech AE on the synthetic corpus (its 6 voices as labels)'],
      ['$0 train audio --data ../shared/data/fsdd --out models/fsdd', 'FSDD with speaker labels from its file names (recipe few-speakers)'],
      ['$0 train audio --data voices/ --out models/voices', 'a folder of voice_item.wav files, one folder per speaker, or a file,speaker speakers.csv (recipe many-voices)'],
      ['$0 train audio --data clips/ --labels none --out models/plain', 'without speaker labels (recipe unlabelled)'],
    ],
    encode: [['$0 encode audio --model models/voices --part speaker --in clips/ --out speakers.npy', 'speaker codes of WAVs']],
    reconstruct: [['$0 reconstruct --model models/voices --in a.wav --out recon/', 'the WAV as the speech AE hears it']],
  },
};
