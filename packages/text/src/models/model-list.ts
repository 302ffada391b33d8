/**
 * @file The text model classes, listed for core's registry: `registerModels(textModels)` lets
 * `loadModel` rebuild a text model folder by its kind (a path in Node, a URL in a page).
 */
import type { ModelClass } from '@latentkit/core';
import { SentenceAutoencoder } from './sentence-autoencoder.js';

/** Every trainable model class of @latentkit/text (kind `text/sentence-ae`). */
export const textModels: readonly ModelClass[] = [SentenceAutoencoder];
