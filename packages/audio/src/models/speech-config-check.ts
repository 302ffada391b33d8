/**
 * @file Type and range checks of every {@link SpeechAutoencoderOptions} field (core's config
 * checks), run before the options are resolved, and a check that loaded networks have the
 * shapes a saved config implies. A saved `latentkit.json` is anyone's to edit: a field of the
 * wrong type (`nuisanceDirections: 1.5`) must be refused naming the field, not crash inside
 * the resolver, and a config that disagrees with its networks must be refused at load, not at
 * the first encode. Relations between fields (kernel size odd, projection counts below the
 * code size, statistics per mel band) stay with the resolver.
 * @internal
 */
import {
  checkArray,
  checkBoolean,
  checkChoice,
  checkFiniteList,
  checkInt,
  checkNumber,
  checkObject,
  ModelFormatError,
  type tf,
} from '@latentkit/core';
import type { SpeechAutoencoderConfig, SpeechAutoencoderOptions } from './speech-config.js';

/** Largest size of a code, channel count or frame window. */
const MAX_SIZE = 4096;
/** Largest weight of a loss term. */
const MAX_WEIGHT = 1e4;

/** Numbers a projection row or statistic may hold; its length is checked by the resolver. */
function checkRows(field: string, value: unknown): number[][] {
  return checkArray(field, value, { max: MAX_SIZE }, (f, row) => checkArray(f, row, { max: MAX_SIZE }, (g, v) => checkNumber(g, v)));
}

/**
 * Checks the type and range of every field present in speech autoencoder options (absent
 * fields get their defaults later).
 * @throws {ConfigFieldError} naming the field, its value and what it may hold.
 */
export function checkSpeechOptions(o: SpeechAutoencoderOptions): void {
  const opts = checkObject('SpeechAutoencoder options', o);
  const present = (k: string) => opts[k] !== undefined;
  for (const k of ['speakerDim', 'contentDim', 'poolSegments', 'channels', 'kernelSize', 'segmentFrames']) if (present(k)) checkInt(k, opts[k], 1, MAX_SIZE);
  for (const k of ['contentBlocks', 'speakerBlocks', 'decoderBlocks']) if (present(k)) checkInt(k, opts[k], 0, 32);
  for (const k of ['centerPooled', 'conditionContent']) if (present(k)) checkBoolean(k, opts[k]);
  for (const k of ['speakerSwap', 'sameSpeakerSwap']) if (present(k)) checkNumber(k, opts[k], { min: 0, max: 1 });
  for (const k of ['beta', 'speakerPull', 'contentSpeakerMatch', 'sameSpeakerPull', 'codeDecorrelation']) if (present(k)) checkNumber(k, opts[k], { min: 0, max: MAX_WEIGHT });
  if (present('activityThreshold')) checkNumber('activityThreshold', opts.activityThreshold, { min: 0, minExclusive: true, max: 1000 });
  if (present('swapTemperature')) checkNumber('swapTemperature', opts.swapTemperature, { min: 0, minExclusive: true, max: 1000 });
  if (present('maxSeconds')) checkNumber('maxSeconds', opts.maxSeconds, { min: 0, minExclusive: true, max: 3600 });
  if (present('griffinLimIterations')) checkInt('griffinLimIterations', opts.griffinLimIterations, 0, 1000);
  if (present('seed')) checkNumber('seed', opts.seed);
  if (present('sampleRate')) checkInt('sampleRate', opts.sampleRate, 1, 1_000_000);
  if (present('mel')) {
    const mel = checkObject('mel', opts.mel);
    for (const k of ['nFft', 'hop', 'winLength']) if (mel[k] !== undefined) checkInt(`mel.${k}`, mel[k], 1, 1 << 16);
    if (mel.nMels !== undefined) checkInt('mel.nMels', mel.nMels, 1, 1024);
    for (const k of ['fMin', 'fMax']) if (mel[k] !== undefined) checkNumber(`mel.${k}`, mel[k], { min: 0, max: 1_000_000 });
    if (mel.logFloor !== undefined) checkNumber('mel.logFloor', mel.logFloor, { min: 0, minExclusive: true, max: 1 });
    for (const k of ['center', 'htk']) if (mel[k] !== undefined) checkBoolean(`mel.${k}`, mel[k]);
    if (mel.window !== undefined) checkChoice('mel.window', mel.window, ['hann', 'hamming'] as const);
    if (mel.power !== undefined && mel.power !== 1 && mel.power !== 2) checkInt('mel.power', mel.power, 1, 2);
  }
  if (present('nuisanceProjection')) {
    const p = checkObject('nuisanceProjection', opts.nuisanceProjection);
    for (const k of ['speaker', 'content']) if (p[k] !== undefined) checkInt(`nuisanceProjection.${k}`, p[k], 0, MAX_SIZE);
    if (p.decoderEpochs !== undefined) checkInt('nuisanceProjection.decoderEpochs', p.decoderEpochs, 0, 1000);
    for (const k of ['keepSpeakers', 'chooseSpeaker']) if (p[k] !== undefined) checkBoolean(`nuisanceProjection.${k}`, p[k]);
  }
  if (opts.nuisanceDirections !== undefined && opts.nuisanceDirections !== null) {
    const d = checkObject('nuisanceDirections', opts.nuisanceDirections);
    checkRows('nuisanceDirections.speaker', d.speaker);
    checkRows('nuisanceDirections.content', d.content);
    for (const k of ['speakerMean', 'contentMean']) checkArray(`nuisanceDirections.${k}`, d[k], { max: MAX_SIZE }, (f, v) => checkNumber(f, v));
  }
  if (present('normalization')) {
    const n = checkObject('normalization', opts.normalization);
    const mean = checkArray('normalization.mean', n.mean, { min: 1, max: 1024 }, (f, v) => checkNumber(f, v));
    checkFiniteList('normalization.std', n.std, mean.length);
  }
}

/** A layer shape as tfjs reports it (`null` for the batch and any free length). */
type Shape = (number | null)[];

function sameShape(a: readonly (number | null)[] | undefined, b: Shape): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks that loaded networks take and give the shapes a (validated) config implies, so a
 * folder whose config and networks disagree is refused at load.
 * @throws {ModelFormatError} naming the network and both shapes.
 */
export function checkSpeechNetworks(c: SpeechAutoencoderConfig, networks: Record<string, tf.LayersModel>): void {
  const m = c.mel.nMels;
  const expected: Record<string, { inputs: Shape[]; output: Shape }> = {
    'content-encoder': {
      inputs: [[null, null, m], [null, null, 1], ...(c.conditionContent ? [[null, c.speakerDim]] : [])],
      output: [null, null, 2 * c.contentDim],
    },
    'speaker-encoder': { inputs: [[null, null, m], [null, null, 1]], output: [null, c.speakerDim] },
    decoder: { inputs: [[null, null, c.contentDim], [null, c.speakerDim], [null, null, 1]], output: [null, null, m] },
  };
  for (const [name, want] of Object.entries(expected)) {
    const net = networks[name];
    const inputs = net.inputs.map((t) => t.shape as Shape);
    const output = net.outputs[0]?.shape as Shape | undefined;
    if (inputs.length !== want.inputs.length || !want.inputs.every((s, i) => sameShape(inputs[i], s)) || !sameShape(output, want.output)) {
      const fmt = (s: Shape | undefined) => `[${(s ?? []).map((d) => (d === null ? 'null' : d)).join(', ')}]`;
      throw new ModelFormatError(
        `${c.kind}: network '${name}' maps ${inputs.map(fmt).join(' + ')} -> ${fmt(output)}, but the config needs ${want.inputs.map(fmt).join(' + ')} -> ${fmt(want.output)}.`,
      );
    }
  }
}
