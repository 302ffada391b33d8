/**
 * @file Audio bytes in and out for the modality descriptor: PCM/float WAV in (any rate; the
 * speech model resamples), 16-bit PCM WAV out.
 */
import type { ModalityCodec } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { decodeWav } from '../io/read-wav.js';
import { encodeWav16 } from '../io/write-wav.js';

/** How clips enter and leave latentkit's speech models. */
export const audioCodec: ModalityCodec<AudioClip, AudioClip> = {
  noun: 'WAV',
  extensions: ['.wav', '.wave'],
  unit: 'file',
  async decode(bytes, options = {}) {
    const maxSeconds = options.limits?.maxSeconds;
    return [decodeWav(bytes, maxSeconds !== undefined ? { maxSeconds } : {}, options.name)];
  },
  async encode(outputs) {
    return outputs.map((clip) => ({ bytes: encodeWav16(clip), extension: '.wav', mediaType: 'audio/wav' }));
  },
};
