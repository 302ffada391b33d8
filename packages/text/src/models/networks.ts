/**
 * @file The sentence autoencoder's tf layers: the encoder (characters + hashed contexts ->
 * `[global | local]` code), the decoder (code -> logits per position) and the auxiliary
 * context head (`hole`) that trains the hashed context embeddings from every position.
 */
import { tf } from '@latentkit/core';
import { LkHoleHash, LkPositionEmbedding, LkSliceLast, LkWordBag, registerTextLayers } from './layers.js';
import { CharVocabulary, SPECIAL_COUNT, UNK_ID } from './vocabulary.js';
import type { SentenceAutoencoderConfig } from './config.js';

type Sym = tf.SymbolicTensor;

/** Folds a character id to the id it counts as inside a word: letters and digits to lower case, the rest to 0. */
function wordFold(vocabulary: CharVocabulary): number[] {
  return Array.from({ length: vocabulary.size }, (_, id) => {
    const ch = id < SPECIAL_COUNT ? '' : vocabulary.charOf(id);
    if (!/^[\p{L}\p{N}]$/u.test(ch)) return 0;
    const lower = vocabulary.idOf(ch.toLowerCase());
    return lower > UNK_ID ? lower : id;
  });
}

/** Builds the networks of a config: `encoder`, `decoder`, and `hole` when the config trains one. */
export function buildNetworks(c: SentenceAutoencoderConfig, vocabulary: CharVocabulary): Record<string, tf.LayersModel> {
  registerTextLayers();
  const spaceId = vocabulary.idOf(' ');
  const L = c.maxLength;
  const R = c.channels.length;
  const slots = L / 2 ** (R - 1);
  const perSlot = c.localDim / slots;
  let seed = c.seed * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (name: string, filters: number, x: Sym, activation: 'relu' | 'linear' = 'relu') =>
    tf.layers.conv1d({ filters, kernelSize: c.kernelSize, padding: 'same', activation, kernelInitializer: init(), name }).apply(x) as Sym;
  const last = (x: Sym) => x.shape[x.shape.length - 1] as number;
  // One resolution: `depth` convolutions to `width`, residual wherever the width already
  // matches (keeps deeper stacks trainable).
  const level = (prefix: string, width: number, depth: number, x: Sym): Sym => {
    let h = x;
    for (let i = 0; i < depth; i++) {
      const y = conv(`${prefix}_conv${i}`, width, h);
      h = last(h) === width ? (tf.layers.add({ name: `${prefix}_res${i}` }).apply([h, y]) as Sym) : y;
    }
    return h;
  };

  const ids = tf.input({ shape: [L], dtype: 'int32', name: 'enc_ids' });
  let h = tf.layers.embedding({ inputDim: c.vocabularySize, outputDim: c.embedDim, embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: seed++ }), name: 'enc_embed' }).apply(ids) as Sym;
  if (c.contextHashes.length > 0) {
    const features = [h];
    c.contextHashes.forEach((spec, i) => {
      const boundaries = spec.word ? [spaceId] : [];
      const keys = new LkHoleHash({ name: `enc_ctx${i}_hash`, radius: spec.radius, buckets: spec.buckets, base: c.vocabularySize, boundaries }).apply(ids) as Sym;
      features.push(tf.layers.embedding({ inputDim: spec.buckets, outputDim: spec.dim, embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05, seed: seed++ }), name: `enc_ctx${i}_embed` }).apply(keys) as Sym);
    });
    h = tf.layers.concatenate({ name: 'enc_features' }).apply(features) as Sym;
  }
  h = new LkPositionEmbedding({ name: 'enc_pos', seed: seed++ }).apply(h) as Sym;
  for (let r = 0; r < R; r++) {
    // Halving the length is a reshape (neighbours side by side), not a strided convolution:
    // free, and nothing is thrown away.
    if (r > 0) h = tf.layers.reshape({ targetShape: [L / 2 ** r, 2 * last(h)], name: `enc_down${r}` }).apply(h) as Sym;
    h = level(`enc_l${r}`, c.channels[r], c.depths[r], h);
  }
  const local = tf.layers.flatten({ name: 'enc_local' }).apply(conv('enc_local_code', perSlot, h, 'linear')) as Sym;
  let code = local;
  if (c.globalDim > 0) {
    // Many narrow detectors (of words, stems, phrases) max-pooled: a learned bag of features.
    const detectors = tf.layers.dense({ units: c.globalFeatures, activation: 'relu', kernelInitializer: init(), name: 'enc_detect' }).apply(h) as Sym;
    const pooled = tf.layers.globalMaxPooling1d({ name: 'enc_pool' }).apply(detectors) as Sym;
    let global = tf.layers.dense({ units: c.globalDim, kernelInitializer: init(), name: 'enc_global_code' }).apply(pooled) as Sym;
    if (c.wordBag) {
      const bag = new LkWordBag({ name: 'enc_words', buckets: c.wordBag.buckets, dim: c.wordBag.dim, hashes: c.wordBag.hashes, fold: wordFold(vocabulary), seed: seed++ }).apply(ids) as Sym;
      const words = tf.layers.dense({ units: c.globalDim, kernelInitializer: init(), name: 'enc_words_code' }).apply(bag) as Sym;
      global = tf.layers.add({ name: 'enc_global_sum' }).apply([global, words]) as Sym;
    }
    code = tf.layers.concatenate({ name: 'enc_code' }).apply([global, local]) as Sym;
  }
  const encoder = tf.model({ inputs: ids, outputs: code, name: 'encoder' });

  const z = tf.input({ shape: [c.latentDim], name: 'dec_code' });
  const localIn = c.globalDim > 0 ? (new LkSliceLast({ name: 'dec_local_slice', begin: c.globalDim, size: c.localDim }).apply(z) as Sym) : z;
  let d = tf.layers.reshape({ targetShape: [slots, perSlot], name: 'dec_local_seq' }).apply(localIn) as Sym;
  if (c.globalDim > 0) {
    // The sentence-level part reaches every slot: context for filling gaps.
    const g = new LkSliceLast({ name: 'dec_global_slice', begin: 0, size: c.globalDim }).apply(z) as Sym;
    const gh = tf.layers.dense({ units: c.channels[R - 1], activation: 'relu', kernelInitializer: init(), name: 'dec_global' }).apply(g) as Sym;
    const broadcast = tf.layers.repeatVector({ n: slots, name: 'dec_global_seq' }).apply(gh) as Sym;
    d = tf.layers.concatenate({ name: 'dec_concat' }).apply([d, broadcast]) as Sym;
  }
  d = new LkPositionEmbedding({ name: 'dec_pos', seed: seed++ }).apply(d) as Sym;
  for (let r = R - 1; r >= 0; r--) {
    d = level(`dec_l${r}`, c.channels[r], c.depths[r], d);
    if (r > 0) {
      // Doubling the length: a convolution to twice the channels, then a reshape (sub-pixel).
      d = conv(`dec_up${r}_conv`, 2 * c.channels[r - 1], d);
      d = tf.layers.reshape({ targetShape: [L / 2 ** (r - 1), c.channels[r - 1]], name: `dec_up${r}` }).apply(d) as Sym;
    }
  }
  const logits = tf.layers.dense({ units: c.vocabularySize, kernelInitializer: init(), name: 'dec_logits' }).apply(d) as Sym;
  const decoder = tf.model({ inputs: z, outputs: logits, name: 'decoder' });
  if (c.contextHashes.length === 0 || c.holeWeight === 0) return { encoder, decoder };
  const features = tf.input({ shape: [L, c.contextHashes.reduce((n, h) => n + h.dim, 0)], name: 'hole_features' });
  const guess = tf.layers.dense({ units: c.vocabularySize, kernelInitializer: init(), name: 'hole_logits' }).apply(features) as Sym;
  return { encoder, decoder, hole: tf.model({ inputs: features, outputs: guess, name: 'hole' }) };
}

/**
 * Logits `[n, maxLength, vocabulary]` of each character guessed from its hashed context alone
 * (the `hole` head), or undefined for a model without one. Runs the encoder's own hash and
 * embedding layers eagerly, so training and fill-in read the same context features.
 */
export function contextLogits(networks: Record<string, tf.LayersModel>, config: SentenceAutoencoderConfig, x: tf.Tensor): tf.Tensor | undefined {
  const head = networks.hole;
  if (!head) return undefined;
  const enc = networks.encoder;
  const feats = config.contextHashes.map((_, i) => enc.getLayer(`enc_ctx${i}_embed`).apply(enc.getLayer(`enc_ctx${i}_hash`).apply(x)) as tf.Tensor);
  return head.apply(feats.length === 1 ? feats[0] : tf.concat(feats, -1)) as tf.Tensor;
}
