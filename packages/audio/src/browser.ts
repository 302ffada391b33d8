/**
 * @file The browser entry of @latentkit/audio (the `browser` export condition): the speech
 * autoencoder with its custom layers (registered when a model is created or loaded), STFT,
 * log-mel and Griffin-Lim, resampling and trimming, the formant synthesiser, and converters
 * from `AudioBuffer`, Float32Array and `Blob`, and back to a playable `AudioBuffer`. What needs
 * Node stays in src/index.ts: WAV files (wav-decoder on Buffers), FSDD and tts-speakers
 * folders, the modality descriptor.
 * @example
 * ```ts
 * import { loadModel, registerModels } from '@latentkit/core';
 * import { audioModels, clipFromAudioBuffer, clipToAudioBuffer } from '@latentkit/audio';
 * registerModels(audioModels);
 * const model = await loadModel('/models/speech');
 * const [code] = await model.encode([clipFromAudioBuffer(buffer, { sampleRate: 16000 })]);
 * ```
 */
export { audioModels } from './models/model-list.js';
export { SpeechAutoencoder } from './models/speech-autoencoder.js';
export { resolveSpeechAutoencoderConfig } from './models/speech-config.js';
export type { LabelledClip, SpeechAutoencoderOptions, SpeechAutoencoderConfig, SpeechMelOptions, NuisanceDirections } from './models/speech-config.js';
export type { ClipOrLatent } from './models/voice-conversion.js';
export { LkInstanceNorm, LkAdaIN, LkMaskedMeanPool, registerAudioLayers } from './models/layers.js';
export type { InstanceNormArgs } from './models/layers.js';
export { pooledSpeechCode } from './models/pooled-code.js';
export type { PooledSpeechCodeOptions } from './models/pooled-code.js';
export { clipDuration } from './io/audio-clip.js';
export type { AudioClip } from './io/audio-clip.js';
export { resample } from './io/resample.js';
export type { ResampleOptions } from './io/resample.js';
export { speedPerturb, SPEED_FACTOR_RANGE } from './io/speed.js';
export { trimSilence, silenceBounds } from './io/trim.js';
export type { TrimOptions } from './io/trim.js';
export { parseWavHeader } from './io/wav-header.js';
export type { WavInfo, WavSampleFormat } from './io/wav-header.js';
export { getWindow } from './features/window.js';
export type { WindowType } from './features/window.js';
export { stft, stftMagnitude, istft, magnitude, resolveStftConfig, stftFrameCount } from './features/stft.js';
export type { StftOptions, StftConfig, IstftOptions, Spectrogram, ComplexSpectrogram } from './features/stft.js';
export { resolveMelConfig, hzToMel, melToHz, melFilterbank, melSpectrogram, logMelSpectrogram, melToLinear } from './features/mel.js';
export type { MelOptions, MelConfig, MelSpectrogram, MelFilterbank, MelFilterbankOptions, MelToLinearOptions } from './features/mel.js';
export { griffinLim, melToAudio } from './features/griffin-lim.js';
export type { GriffinLimOptions, MelToAudioOptions } from './features/griffin-lim.js';
export { synthesizeVowels, VOWEL_FORMANTS } from './synth/formant-synth.js';
export type { Vowel, VoiceProfile, SynthesisOptions } from './synth/formant-synth.js';
export { syntheticSpeechCorpus, syntheticVoices, SYNTHETIC_CONTENTS } from './synth/synthetic-corpus.js';
export type { SyntheticCorpusOptions, SyntheticUtterance } from './synth/synthetic-corpus.js';
export { clipFromAudioBuffer, clipFromSamples, clipFromBlob, clipToAudioBuffer } from './web/web-audio.js';
export type { AudioBufferLike, WebClipOptions } from './web/web-audio.js';
