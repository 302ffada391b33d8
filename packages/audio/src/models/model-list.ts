/**
 * @file The audio model classes, listed for core's registry: `registerModels(audioModels)` lets
 * `loadModel` rebuild an audio model folder by its kind (a path in Node, a URL in a page).
 */
import type { ModelClass } from '@latentkit/core';
import { SpeechAutoencoder } from './speech-autoencoder.js';

/** Every model class of @latentkit/audio (kind `audio/speaker-content-ae`). */
export const audioModels: readonly ModelClass[] = [SpeechAutoencoder];
