/**
 * @file Speech training recipes (public: `latentkit train audio --recipe <name>` and
 * `npm run bench -- audio` call these same functions).
 *
 * - `default`: with speaker labels in the data, `few-speakers` when there are 100 clips or
 *   more per speaker (FSDD), else `many-voices` (tts-speakers); without labels, `unlabelled`.
 * - `many-voices` / `few-speakers`: the benchmark's labelled recipes (weak speaker supervision,
 *   speed-perturbed copies as new voices, nuisance projection, 60 / 40 epochs).
 * - `unlabelled`: the autoencoder alone, 10 epochs (what `train audio` did before labels).
 *
 * The experiments behind these settings (and the runs that did not help) are in
 * bench/suites/audio.ts.
 */
import { resolveSettings, type FitOptions, type LoadedDataset, type Recipe, type RecipeTrainOptions, type TrainedModel } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { speedPerturb } from '../io/speed.js';
import { SpeechAutoencoder } from '../models/speech-autoencoder.js';
import type { LabelledClip, SpeechAutoencoderOptions } from '../models/speech-config.js';
import { LATENT_DIM_SETTING, SPEAKER_SETTINGS, resolveSpeakerSettings } from './recipe-settings.js';

/** A labelled recipe's model and schedule (what the settings and `options.fit` override). */
export interface SpeakerPlan {
  /** The recipe's name (in messages). */
  name: string;
  /** Model options; `sampleRate` comes from the data. */
  model: Omit<SpeechAutoencoderOptions, 'sampleRate'>;
  /** Speed factors of extra copies, each labelled as a voice of its own. */
  speed: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/**
 * Weak supervision without the speaker condition on the content encoder (which feeds the
 * voice into the content code), the speaker-match term, and a penalty on the codes'
 * cross-correlation; see bench/suites/audio.ts for the runs that chose them.
 */
const DISENTANGLE: SpeechAutoencoderOptions = { conditionContent: false, contentSpeakerMatch: 5, codeDecorrelation: 1 };

/**
 * Many voices with few clips each (tts-speakers: 12 voices x 24 clips). Copies at 0.9x and 1.1x
 * speed triple the voices (the unseen-voice EER fell from 0.124 to 0.059 with them); 16 of the
 * 64 speaker-code directions are projected out after training.
 */
export const MANY_VOICES_PLAN: SpeakerPlan = {
  name: 'many-voices',
  model: { segmentFrames: 96, ...DISENTANGLE, nuisanceProjection: { speaker: 16, chooseSpeaker: true } },
  speed: [0.9, 1.1],
  epochs: 60,
  batchSize: 32,
  learningRate: 2e-3,
};

/**
 * Few speakers with many takes each (FSDD: 6 speakers x 450 clips). Batches of 64 hold about
 * 11 clips per speaker, so the speaker-match term compares steady means; 16 content
 * dimensions per frame, 24 speaker and 3 content directions projected out, the speaker ones
 * outside the subspace of the speakers' means (`keepSpeakers`: the codes are judged on the
 * same speakers, and plain NAP could remove every direction of a low-rank speaker code).
 */
export const FEW_SPEAKERS_PLAN: SpeakerPlan = {
  name: 'few-speakers',
  model: { segmentFrames: 48, ...DISENTANGLE, contentDim: 16, nuisanceProjection: { speaker: 24, content: 3, keepSpeakers: true } },
  speed: [],
  epochs: 40,
  batchSize: 64,
  learningRate: 2e-3,
};

/** Clips per speaker from which `default` trains as `few-speakers` rather than `many-voices`. */
export const FEW_SPEAKERS_MIN_CLIPS = 100;

/** Seed of the weights when none is given (the benchmark's); batches are shuffled with seed + 4. */
const DEFAULT_SEED = 7;

function sampleRateOf(data: LoadedDataset<AudioClip>): number {
  return typeof data.facts?.sampleRate === 'number' ? data.facts.sampleRate : 16000;
}

/**
 * The speaker of each sample from the data's `speaker` labels, or undefined when the data
 * tells fewer than two speakers apart or leaves some sample without one.
 */
export function speakerNamesOf(data: LoadedDataset<AudioClip>): string[] | undefined {
  const labels = data.labels.speaker;
  if (!labels || labels.values.length !== data.samples.length || labels.values.some((v) => v < 0 || v >= labels.names.length)) return undefined;
  const names = labels.values.map((v) => labels.names[v]);
  return new Set(names).size >= 2 ? names : undefined;
}

/** Where the data's speaker labels came from, for the log. */
function labelSource(data: LoadedDataset<AudioClip>): string {
  return typeof data.facts?.speakerLabels === 'string' ? data.facts.speakerLabels : `the ${data.layout} layout`;
}

/** Fits `model`, disposing it if training fails (a recipe hands back only trained models). */
async function fitOrDispose(model: SpeechAutoencoder, clips: LabelledClip[], fit: FitOptions<LabelledClip>): Promise<TrainedModel<AudioClip>> {
  try {
    return { model, history: await model.fit(clips, fit), notes: [] };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Trains a speaker/content autoencoder with a labelled plan: each clip carries its speaker
 * (weak supervision), a speed-perturbed copy per factor joins as a voice of its own
 * (`jackson@0.9`), and after training the nuisance projection is fitted with the labels and
 * the decoder retrained on projected codes for 3 epochs. With `labels: 'none'`, or data that
 * tells fewer than two speakers apart, it trains the same model and schedule without labels,
 * copies or projection, and says so.
 * @param plan the recipe's model and schedule.
 * @param data clips with `speaker` labels (see the audio dataset layouts).
 * @param options settings (`labels`, `latent-dim`, `speed`, `speaker-directions`,
 *   `content-directions`), schedule overrides (`fit`; `seed` seeds the weights, and seed + 4
 *   the batches) and `log`.
 * @returns the trained model; `notes` say which labels it trained with.
 * @throws {InvalidArgumentError} for bad settings.
 * @example
 * ```ts
 * const data = await audioModality.embedded!.load();
 * const { model, notes } = await trainWithSpeakers(MANY_VOICES_PLAN, data, { fit: { epochs: 2 } });
 * ```
 */
export async function trainWithSpeakers(plan: SpeakerPlan, data: LoadedDataset<AudioClip>, options: RecipeTrainOptions<AudioClip> = {}): Promise<TrainedModel<AudioClip>> {
  const s = resolveSpeakerSettings(options.settings ?? {}, `audio recipe '${plan.name}' setting`);
  const log = options.log ?? (() => undefined);
  const speakers = s.labels === 'none' ? undefined : speakerNamesOf(data);
  const factors = speakers ? (s.speed ?? plan.speed) : [];
  const projection = {
    ...plan.model.nuisanceProjection,
    speaker: speakers ? (s.speakerDirections ?? plan.model.nuisanceProjection?.speaker ?? 0) : 0,
    content: speakers ? (s.contentDirections ?? plan.model.nuisanceProjection?.content ?? 0) : 0,
    // An explicit --speaker-directions is taken as given, not as a maximum to validate under.
    ...(s.speakerDirections !== undefined ? { chooseSpeaker: false } : {}),
  };
  const seed = options.fit?.seed ?? DEFAULT_SEED;
  const model = SpeechAutoencoder.create({
    ...plan.model,
    sampleRate: sampleRateOf(data),
    nuisanceProjection: projection,
    ...(s.speakerDim !== undefined ? { speakerDim: s.speakerDim } : {}),
    seed,
  });
  const clips: LabelledClip[] = speakers ? data.samples.map((c, i) => ({ ...c, speaker: speakers[i] })) : [...data.samples];
  for (const f of factors) clips.push(...data.samples.map((c, i) => ({ ...speedPerturb(c, f), speaker: `${speakers![i]}@${f}` })));
  const count = speakers ? new Set(speakers).size : 0;
  const notes: string[] = [];
  if (speakers) {
    const copies = factors.length ? `, plus copies at ${factors.map((f) => `${f}x`).join(' and ')} speed as ${count * factors.length} more voices` : '';
    notes.push(`trained with ${count} speaker labels from ${labelSource(data)}${copies}`);
  } else {
    notes.push(s.labels === 'none' ? 'trained without speaker labels (--labels none): no speed copies, no projection' : `trained without speaker labels (${data.source} tells fewer than two speakers apart): no speed copies, no projection`);
  }
  // Said before training too (the notes come after it): a long run should show its labels at once.
  log(`audio ${plan.name}: ${notes[0].replace(/^trained/, 'training')}; ${clips.length} clips`);
  const fit: FitOptions<LabelledClip> = { epochs: plan.epochs, batchSize: plan.batchSize, learningRate: plan.learningRate, ...(options.fit as FitOptions<LabelledClip>), seed: seed + 4 };
  const trained = await fitOrDispose(model, clips, fit);
  if (speakers) {
    const dirs = model.config.nuisanceDirections;
    const chosen = model.config.nuisanceProjection.chooseSpeaker ? ` (chosen by leave-voices-out validation, at most ${projection.speaker})` : '';
    notes.push(dirs ? `nuisance projection: ${dirs.speaker.length} speaker${chosen} and ${dirs.content.length} content directions removed, decoder retrained 3 epochs` : 'no nuisance projection');
  }
  return { ...trained, notes };
}

/**
 * The recipe `train audio` used before speaker labels: the autoencoder alone at the data's
 * sample rate, 10 epochs of Adam (lr 1e-3, batch 64), 10% held out for the validation loss.
 * On tts-speakers' held-out voices its speaker codes gave an EER of 0.366 (issue 17).
 * @param data clips (labels ignored).
 * @param options setting `latent-dim` and schedule overrides.
 * @returns the trained model and its history.
 * @example
 * ```ts
 * const data = await audioModality.embedded!.load();
 * const { model } = await trainSpeechUnlabelled(data, { fit: { epochs: 5 } });
 * ```
 */
export async function trainSpeechUnlabelled(data: LoadedDataset<AudioClip>, options: RecipeTrainOptions<AudioClip> = {}): Promise<TrainedModel<AudioClip>> {
  const s = resolveSettings([LATENT_DIM_SETTING], options.settings ?? {}, "audio recipe 'unlabelled' setting");
  const model = SpeechAutoencoder.create({ sampleRate: sampleRateOf(data), ...(s['latent-dim'] !== undefined ? { speakerDim: s['latent-dim'] as number } : {}) });
  const trained = await fitOrDispose(model, [...data.samples], { validationSplit: 0.1, ...(options.fit as FitOptions<LabelledClip>) });
  return { ...trained, notes: ['trained without speaker labels (recipe unlabelled)'] };
}

/**
 * Which recipe `default` runs for `data`: `few-speakers` when it has speaker labels and at
 * least {@link FEW_SPEAKERS_MIN_CLIPS} clips per speaker, `many-voices` with labels and fewer,
 * `unlabelled` without labels (or with `labels: 'none'`).
 * @param data the training data.
 * @param labels the `labels` setting.
 * @returns the recipe's name.
 */
export function defaultSpeechRecipe(data: LoadedDataset<AudioClip>, labels: 'auto' | 'none' = 'auto'): 'few-speakers' | 'many-voices' | 'unlabelled' {
  const speakers = labels === 'none' ? undefined : speakerNamesOf(data);
  if (!speakers) return 'unlabelled';
  return speakers.length / new Set(speakers).size >= FEW_SPEAKERS_MIN_CLIPS ? 'few-speakers' : 'many-voices';
}

/**
 * `latentkit train audio`'s default: picks `few-speakers`, `many-voices` or `unlabelled` for
 * the data (see {@link defaultSpeechRecipe}) and trains with it, logging the choice.
 * @param data clips, with speaker labels where the layout gives them.
 * @param options settings of the speaker recipes, schedule overrides, `log`.
 * @returns the trained model; `notes` name the recipe and the labels.
 * @throws {InvalidArgumentError} for bad settings.
 * @example
 * ```ts
 * const data = await audioModality.embedded!.load();
 * const { model, notes } = await trainSpeechDefault(data, { fit: { epochs: 2 } });
 * ```
 */
export async function trainSpeechDefault(data: LoadedDataset<AudioClip>, options: RecipeTrainOptions<AudioClip> = {}): Promise<TrainedModel<AudioClip>> {
  const s = resolveSpeakerSettings(options.settings ?? {}, "audio recipe 'default' setting");
  const chosen = defaultSpeechRecipe(data, s.labels);
  options.log?.(`audio default: training as '${chosen}' (${chosen === 'unlabelled' ? (s.labels === 'none' ? '--labels none' : 'no speaker labels in the data') : `${data.samples.length} clips of ${new Set(speakerNamesOf(data)).size} speakers`})`);
  if (chosen === 'unlabelled') {
    // Speaker-only settings mean nothing without labels; the model keeps the speaker code size.
    return trainSpeechUnlabelled(data, { ...options, settings: { ...(s.speakerDim !== undefined ? { 'latent-dim': s.speakerDim } : {}) } });
  }
  return trainWithSpeakers(chosen === 'few-speakers' ? FEW_SPEAKERS_PLAN : MANY_VOICES_PLAN, data, options);
}

/** The speech recipes, default first. */
export const audioRecipes: readonly Recipe<AudioClip>[] = [
  {
    name: 'default',
    describe: `few-speakers when the data labels speakers with >= ${FEW_SPEAKERS_MIN_CLIPS} clips each, many-voices when it labels more speakers with fewer clips, unlabelled without labels (--labels none turns them off)`,
    settings: SPEAKER_SETTINGS,
    train: trainSpeechDefault,
  },
  {
    name: 'many-voices',
    describe:
      'speaker labels, copies at 0.9x/1.1x speed as new voices, 16 speaker directions projected out; batches of 32, 60 epochs, lr 2e-3. tts-speakers (12 voices): EER 0.056 on 5 held-out voices (npm run bench -- audio)',
    settings: SPEAKER_SETTINGS,
    train: (data, options) => trainWithSpeakers(MANY_VOICES_PLAN, data, options),
  },
  {
    name: 'few-speakers',
    describe:
      'speaker labels, 16 content dims per frame, 24 speaker directions (outside the speakers\' means) + 3 content directions projected out; batches of 64, 40 epochs, lr 2e-3. FSDD: speaker from speaker code 0.990, from content 0.303; digit from content 0.923, from speaker 0.133 (npm run bench -- audio)',
    settings: SPEAKER_SETTINGS,
    train: (data, options) => trainWithSpeakers(FEW_SPEAKERS_PLAN, data, options),
  },
  {
    name: 'unlabelled',
    describe: 'no labels: the autoencoder alone, 10 epochs, Adam 1e-3, batch 64, 10% validation (tts-speakers held-out EER 0.366)',
    settings: [LATENT_DIM_SETTING],
    train: trainSpeechUnlabelled,
  },
];
