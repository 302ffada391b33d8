/**
 * @file Public API of @latentkit/audio: WAV I/O, resampling and trimming, STFT and log-mel
 * features with Griffin-Lim inversion, a synthetic speech corpus, and loaders for the
 * FSDD and tts-speakers data folders.
 */

// The modality descriptor (`modality` is the name loadModel and the CLI look for).
export { audioModality, audioModality as modality } from './modality/descriptor.js';
export {
  audioRecipes,
  trainSpeechDefault,
  trainSpeechUnlabelled,
  trainWithSpeakers,
  defaultSpeechRecipe,
  speakerNamesOf,
  MANY_VOICES_PLAN,
  FEW_SPEAKERS_PLAN,
  FEW_SPEAKERS_MIN_CLIPS,
} from './modality/recipes.js';
export type { SpeakerPlan } from './modality/recipes.js';
export { SPEAKER_SETTINGS, LABELS_SETTING, resolveSpeakerSettings } from './modality/recipe-settings.js';
export type { SpeakerSettings } from './modality/recipe-settings.js';
export { inferSpeakers, readSpeakerManifest, SPEAKER_MANIFEST_NAMES } from './datasets/speaker-labels.js';
export type { InferredSpeakers, SpeakerLabelSource } from './datasets/speaker-labels.js';
export { audioCodec } from './modality/codec.js';
export { fsddLayout, ttsSpeakersLayout, wavFolderLayout, embeddedSpeech, loadEmbeddedSpeech, labelsOf, spreadLimit } from './modality/datasets.js';
export type { EmbeddedSpeechOptions } from './modality/datasets.js';

// I/O
export { clipDuration } from './io/audio-clip.js';
export type { AudioClip } from './io/audio-clip.js';
export { readWav, decodeWav, DEFAULT_MAX_SECONDS } from './io/read-wav.js';
export type { ReadWavOptions } from './io/read-wav.js';
export { parseWavHeader } from './io/wav-header.js';
export type { WavInfo, WavSampleFormat } from './io/wav-header.js';
export { encodeWav16, writeWav } from './io/write-wav.js';
export { resample } from './io/resample.js';
export type { ResampleOptions } from './io/resample.js';
export { speedPerturb, SPEED_FACTOR_RANGE } from './io/speed.js';
export { trimSilence, silenceBounds } from './io/trim.js';
export type { TrimOptions } from './io/trim.js';

// Features
export { getWindow } from './features/window.js';
export type { WindowType } from './features/window.js';
export { stft, stftMagnitude, istft, magnitude, resolveStftConfig, stftFrameCount } from './features/stft.js';
export type { StftOptions, StftConfig, IstftOptions, Spectrogram, ComplexSpectrogram } from './features/stft.js';
export {
  resolveMelConfig,
  hzToMel,
  melToHz,
  melFilterbank,
  melSpectrogram,
  logMelSpectrogram,
  melToLinear,
} from './features/mel.js';
export type { MelOptions, MelConfig, MelSpectrogram, MelFilterbank, MelFilterbankOptions, MelToLinearOptions } from './features/mel.js';
export { griffinLim, melToAudio } from './features/griffin-lim.js';
export type { GriffinLimOptions, MelToAudioOptions } from './features/griffin-lim.js';

// Synthetic speech
export { synthesizeVowels, VOWEL_FORMANTS } from './synth/formant-synth.js';
export type { Vowel, VoiceProfile, SynthesisOptions } from './synth/formant-synth.js';
export { syntheticSpeechCorpus, syntheticVoices, SYNTHETIC_CONTENTS } from './synth/synthetic-corpus.js';
export type { SyntheticCorpusOptions, SyntheticUtterance } from './synth/synthetic-corpus.js';

// Datasets in the data folder (LATENTKIT_DATA)
export { listFsdd, loadFsdd, DIGIT_WORDS } from './datasets/fsdd.js';
export type { FsddItem, FsddSplit, FsddListOptions, FsddLoadOptions } from './datasets/fsdd.js';
export { listTtsSpeakers, loadTtsSpeakers } from './datasets/tts-speakers.js';
export type { TtsSpeakerItem, TtsSpeakersListOptions, TtsSpeakersLoadOptions } from './datasets/tts-speakers.js';

// ---------------------------------------------------------------------------------------
// Speaker/content autoencoder and voice conversion (models/)
// ---------------------------------------------------------------------------------------
export { SpeechAutoencoder } from './models/speech-autoencoder.js';
export { resolveSpeechAutoencoderConfig } from './models/speech-config.js';
export type { LabelledClip, SpeechAutoencoderOptions, SpeechAutoencoderConfig, SpeechMelOptions, NuisanceDirections } from './models/speech-config.js';
export type { ClipOrLatent } from './models/voice-conversion.js';
export { LkInstanceNorm, LkAdaIN, LkMaskedMeanPool, registerAudioLayers } from './models/layers.js';
export { pooledSpeechCode } from './models/pooled-code.js';
export type { PooledSpeechCodeOptions } from './models/pooled-code.js';
export type { InstanceNormArgs } from './models/layers.js';
export { audioModels } from './models/model-list.js';

// Pages: converters from AudioBuffer, samples and Blob (also in the browser entry, src/browser.ts).
export { clipFromAudioBuffer, clipFromSamples, clipFromBlob, clipToAudioBuffer } from './web/web-audio.js';
export type { AudioBufferLike, WebClipOptions } from './web/web-audio.js';
