/**
 * @file Type and range checks of every {@link SentenceAutoencoderOptions} field (core's config
 * checks), run before the options are resolved, and a check that loaded networks have the
 * shapes a saved config implies. A saved `latentkit.json` is anyone's to edit: `globalDim: 1e9`
 * must be refused at load naming the field and its range, not load and fail at the first
 * encode. Relations between fields (maxLength a multiple of the slot width, one depth per
 * resolution, localDim a multiple of the slots) stay with the resolver.
 * @internal
 */
import { checkArray, checkBoolean, checkInt, checkNumber, checkObject, ConfigFieldError, checkNetworkShapes, type tf } from '@latentkit/core';
import type { SentenceAutoencoderConfig, SentenceAutoencoderOptions } from './config.js';

/** Widest layer or code part. */
const MAX_WIDTH = 65_536;
/** Rows of a hashed table. */
const MAX_BUCKETS = 1 << 20;
/** Largest weight of a loss term. */
const MAX_WEIGHT = 1e4;

/**
 * Checks the type and range of every field present in sentence autoencoder options (absent
 * fields get their defaults later). Saved configs also hold `latentDim`, checked here too.
 * @throws {ConfigFieldError} naming the field, its value and what it may hold.
 */
export function checkSentenceOptions(o: SentenceAutoencoderOptions): void {
  const opts = checkObject('SentenceAutoencoder options', o);
  const present = (k: string) => opts[k] !== undefined;
  if (present('maxLength')) checkInt('maxLength', opts.maxLength, 1, 4096);
  if (present('embedDim')) checkInt('embedDim', opts.embedDim, 1, 4096);
  if (present('channels')) checkArray('channels', opts.channels, { min: 1, max: 5 }, (f, v) => checkInt(f, v, 1, 4096));
  if (present('depths')) checkArray('depths', opts.depths, { min: 1, max: 5 }, (f, v) => checkInt(f, v, 0, 8));
  if (present('kernelSize')) checkInt('kernelSize', opts.kernelSize, 1, 31);
  if (present('contextDim')) checkInt('contextDim', opts.contextDim, 1, 4096);
  if (present('globalDim')) checkInt('globalDim', opts.globalDim, 0, MAX_WIDTH);
  if (present('globalFeatures')) checkInt('globalFeatures', opts.globalFeatures, 1, MAX_WIDTH);
  if (present('localDim')) checkInt('localDim', opts.localDim, 1, MAX_WIDTH);
  if (present('latentDim')) checkInt('latentDim', opts.latentDim, 1, 2 * MAX_WIDTH);
  if (present('holeWeight')) checkNumber('holeWeight', opts.holeWeight, { min: 0, max: MAX_WEIGHT });
  if (present('contrastiveWeight')) checkNumber('contrastiveWeight', opts.contrastiveWeight, { min: 0, max: MAX_WEIGHT });
  if (present('temperature')) checkNumber('temperature', opts.temperature, { min: 0, minExclusive: true, max: 1000 });
  if (present('seed')) checkNumber('seed', opts.seed);
  if (present('contextHashes')) {
    checkArray('contextHashes', opts.contextHashes, { max: 16 }, (f, v) => {
      const h = checkObject(f, v);
      checkInt(`${f}.radius`, h.radius, 1, 8);
      checkInt(`${f}.buckets`, h.buckets, 2, MAX_BUCKETS);
      if (h.dim !== undefined) checkInt(`${f}.dim`, h.dim, 1, 4096);
      if (h.word !== undefined) checkBoolean(`${f}.word`, h.word);
    });
  }
  if (opts.wordBag !== undefined && opts.wordBag !== null) {
    const w = checkObject('wordBag', opts.wordBag);
    checkInt('wordBag.buckets', w.buckets, 2, MAX_BUCKETS);
    checkInt('wordBag.dim', w.dim, 1, 4096);
    if (w.hashes !== undefined) checkInt('wordBag.hashes', w.hashes, 1, 4);
  }
  if (present('noise') && opts.noise !== false) {
    const n = checkObject('noise', opts.noise);
    for (const k of ['maskProbability', 'deleteProbability', 'deleteRate']) if (n[k] !== undefined) checkNumber(`noise.${k}`, n[k], { min: 0, max: 1 });
    if (n.maskRate !== undefined) checkArray('noise.maskRate', n.maskRate, { min: 2, max: 2 }, (f, v) => checkNumber(f, v, { min: 0, max: 1 }));
  }
  if (present('characters')) {
    checkArray('characters', opts.characters, { min: 1, max: MAX_BUCKETS }, (f, v) => {
      if (typeof v !== 'string' || v.length === 0) throw new ConfigFieldError(f, v, 'a non-empty string');
      return v;
    });
  }
}

/**
 * Checks that loaded networks take and give the shapes a (validated) config implies: the
 * encoder `[maxLength]` character ids to `[latentDim]`, the decoder `[latentDim]` back to
 * `[maxLength, vocabularySize]` logits.
 * @throws {ModelFormatError} naming the network and both shapes.
 */
export function checkSentenceNetworks(c: SentenceAutoencoderConfig, networks: Record<string, tf.LayersModel>): void {
  checkNetworkShapes(c.kind, 'encoder', networks.encoder, [c.maxLength], [c.latentDim]);
  checkNetworkShapes(c.kind, 'decoder', networks.decoder, [c.latentDim], [c.maxLength, c.vocabularySize]);
}
