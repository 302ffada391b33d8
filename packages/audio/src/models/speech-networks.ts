/**
 * @file The speech autoencoder's three networks, built from 1-D convolutions only so they
 * train on wasm: a content encoder (instance-normalised, optionally conditioned on the
 * speaker code), a speaker encoder (mean-pooled over time) and a decoder that re-injects the
 * speaker code through adaptive instance normalisation.
 */
import { tf } from '@latentkit/core';
import { LkAdaIN, LkInstanceNorm, LkMaskedMeanPool } from './layers.js';
import type { SpeechAutoencoderConfig } from './speech-config.js';

type Sym = tf.SymbolicTensor;

function conv(name: string, filters: number, kernelSize: number, seed: number): tf.layers.Layer {
  return tf.layers.conv1d({ name, filters, kernelSize, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed }) });
}

function lrelu(name: string): tf.layers.Layer {
  return tf.layers.leakyReLU({ name, alpha: 0.2 });
}

function masked(name: string, x: Sym, mask: Sym): Sym {
  return tf.layers.multiply({ name }).apply([x, mask]) as Sym;
}

/**
 * Builds the content encoder: `[mel, mask]` (or `[mel, mask, speaker]` with
 * `conditionContent`) -> `[b, t, 2 * contentDim]` (mean, then log-variance). Every block
 * instance-normalises without affine parameters; with a speaker input the normalised features
 * are then scaled and shifted from the speaker code (held constant for this network), as in a
 * conditional VAE, so the encoder can read phones relative to the voice. Measured on FSDD
 * (4 epochs): digit read from the pooled content code 91% with the condition vs 77-83%
 * without, but speaker read from it 88% vs 60-70%.
 * @param c resolved config.
 * @returns the tfjs layers model (named layers `ce_*`).
 */
export function buildContentEncoder(c: SpeechAutoencoderConfig): tf.LayersModel {
  const mel = tf.input({ shape: [null, c.mel.nMels], name: 'ce_mel' });
  const mask = tf.input({ shape: [null, 1], name: 'ce_mask' });
  const spk = c.conditionContent ? tf.input({ shape: [c.speakerDim], name: 'ce_speaker' }) : undefined;
  const cond = spk
    ? (tf.layers.dense({ name: 'ce_cond', units: c.channels, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: c.seed + 50 }) }).apply(spk) as Sym)
    : undefined;
  const block = (x: Sym, i: number): Sym => {
    const h = conv(`ce_conv${i}`, c.channels, c.kernelSize, c.seed + 10 + i).apply(x) as Sym;
    let n: Sym;
    if (cond) {
      const small = tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: c.seed + 60 + i });
      const gamma = tf.layers.dense({ name: `ce_gamma${i}`, units: c.channels, kernelInitializer: small, biasInitializer: 'ones' }).apply(cond) as Sym;
      const beta = tf.layers.dense({ name: `ce_beta${i}`, units: c.channels, kernelInitializer: small }).apply(cond) as Sym;
      n = new LkAdaIN({ name: `ce_adain${i}` }).apply([h, gamma, beta, mask]) as Sym;
    } else {
      n = new LkInstanceNorm({ name: `ce_in${i}` }).apply([h, mask]) as Sym;
    }
    return lrelu(`ce_act${i}`).apply(n) as Sym;
  };
  let h = block(mel, 0);
  for (let i = 1; i <= c.contentBlocks; i++) h = tf.layers.add({ name: `ce_res${i}` }).apply([h, block(h, i)]) as Sym;
  let out = tf.layers
    .conv1d({ name: 'ce_out', filters: 2 * c.contentDim, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 99 }) })
    .apply(h) as Sym;
  out = masked('ce_out_mask', out, mask);
  return tf.model({ inputs: spk ? [mel, mask, spk] : [mel, mask], outputs: out, name: 'content_encoder' });
}

/**
 * Builds the speaker encoder: `[mel, mask]` -> `[b, speakerDim]`; residual convolutions,
 * mean-pooled over the valid frames, then two dense layers.
 * @param c resolved config.
 * @returns the tfjs layers model (named layers `se_*`).
 */
export function buildSpeakerEncoder(c: SpeechAutoencoderConfig): tf.LayersModel {
  const mel = tf.input({ shape: [null, c.mel.nMels], name: 'se_mel' });
  const mask = tf.input({ shape: [null, 1], name: 'se_mask' });
  const block = (x: Sym, i: number): Sym => {
    const h = conv(`se_conv${i}`, c.channels, c.kernelSize, c.seed + 200 + i).apply(x) as Sym;
    // Zero the padded frames again so the next convolution sees what an unpadded clip would.
    return masked(`se_mask${i}`, lrelu(`se_act${i}`).apply(h) as Sym, mask);
  };
  let h = block(mel, 0);
  for (let i = 1; i <= c.speakerBlocks; i++) h = tf.layers.add({ name: `se_res${i}` }).apply([h, block(h, i)]) as Sym;
  let v = new LkMaskedMeanPool({ name: 'se_pool' }).apply([h, mask]) as Sym;
  v = tf.layers.dense({ name: 'se_dense', units: c.channels, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: c.seed + 298 }) }).apply(v) as Sym;
  const out = tf.layers.dense({ name: 'se_out', units: c.speakerDim, kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 299 }) }).apply(v) as Sym;
  return tf.model({ inputs: [mel, mask], outputs: out, name: 'speaker_encoder' });
}

/**
 * Builds the decoder: `[content, speaker, mask]` -> normalised log-mel `[b, t, nMels]`. An
 * unnormalised input block, then residual blocks whose convolutions go through AdaIN with a
 * scale and shift predicted from the speaker code.
 * @param c resolved config.
 * @returns the tfjs layers model (named layers `de_*`).
 */
export function buildDecoder(c: SpeechAutoencoderConfig): tf.LayersModel {
  const z = tf.input({ shape: [null, c.contentDim], name: 'de_content' });
  const s = tf.input({ shape: [c.speakerDim], name: 'de_speaker' });
  const mask = tf.input({ shape: [null, 1], name: 'de_mask' });
  const cond = tf.layers.dense({ name: 'de_cond', units: c.channels, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: c.seed + 300 }) }).apply(s) as Sym;
  const block = (x: Sym, i: number): Sym => {
    const h = conv(`de_conv${i}`, c.channels, c.kernelSize, c.seed + 310 + i).apply(x) as Sym;
    const small = tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: c.seed + 400 + i });
    const gamma = tf.layers.dense({ name: `de_gamma${i}`, units: c.channels, kernelInitializer: small, biasInitializer: 'ones' }).apply(cond) as Sym;
    const beta = tf.layers.dense({ name: `de_beta${i}`, units: c.channels, kernelInitializer: small }).apply(cond) as Sym;
    const n = new LkAdaIN({ name: `de_adain${i}` }).apply([h, gamma, beta, mask]) as Sym;
    return lrelu(`de_act${i}`).apply(n) as Sym;
  };
  // The input block is not normalised: statistics that follow from what is said (a hissy
  // 's' raises the high bands) reach the output from the content code, so the speaker code is
  // not pushed to carry them. The residual blocks add the speaker through AdaIN.
  const h0 = conv('de_conv0', c.channels, c.kernelSize, c.seed + 310).apply(z) as Sym;
  let h = masked('de_mask0', lrelu('de_act0').apply(h0) as Sym, mask);
  for (let i = 1; i <= c.decoderBlocks; i++) h = tf.layers.add({ name: `de_res${i}` }).apply([h, block(h, i)]) as Sym;
  let out = tf.layers
    .conv1d({ name: 'de_out', filters: c.mel.nMels, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 499 }) })
    .apply(h) as Sym;
  out = masked('de_out_mask', out, mask);
  return tf.model({ inputs: [z, s, mask], outputs: out, name: 'decoder' });
}
