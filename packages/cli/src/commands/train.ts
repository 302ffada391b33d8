/**
 * @file `latentkit train <modality>`: trains a model with one of the modality's recipes on its
 * embedded data or on `--data` (whichever of its dataset layouts recognises the folder), with
 * a progress bar, and saves the model folder to `--out`.
 */
import { stat } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { FitOptions, LoadedDataset, ModalityDescriptor, Settings } from '@latentkit/core';
import { flag, optNumber, optString, reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { withExamples } from '../lib/examples.js';
import { declareSettings, givenSettings } from '../lib/settings.js';
import { UsageError } from '../lib/usage-error.js';

/** Training data: `--data` read by the first layout that recognises it, else the embedded data. */
/** `--threads`: 'auto', 'split', 'spin' or a thread count (1-256). */
function threadsArg(v: string | undefined): FitOptions['threads'] {
  if (v === undefined || v === 'auto' || v === 'split' || v === 'spin') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--threads must be auto, split, spin or a whole number of threads from 1 to 256, got '${v}'.`);
  return n;
}

async function loadData(d: ModalityDescriptor, data: string | undefined, options: { limit?: number; seed: number; settings: Settings }): Promise<LoadedDataset<unknown>> {
  const { DatasetError } = await import('@latentkit/core');
  if (data === undefined || data === 'synthetic') {
    if (!d.embedded) {
      throw new UsageError(`train ${d.name} needs --data: ${d.datasets.map((l) => l.describe).join('; or ')}.`);
    }
    return d.embedded.load(options);
  }
  if (!(await stat(data).catch(() => undefined))) {
    throw new DatasetError(`--data '${data}' does not exist.`, { file: data, hint: `Give ${d.datasets.map((l) => l.describe).join('; or ')}.` });
  }
  for (const layout of d.datasets) {
    if (await layout.detect(data)) return layout.load(data, options);
  }
  throw new DatasetError(`--data '${data}' is not laid out as ${d.name} training data.`, {
    file: data,
    hint: `${d.name} reads ${d.datasets.map((l) => l.describe).join('; or ')}.`,
  });
}

/** Training samples the collapse check reconstructs (spread over the data, so every class of a sorted folder is in). */
const CHECK_SAMPLES = 256;

/** `train` for the given modalities: their recipes' settings become its options. */
export function trainCommand(modalities: readonly ModalityDescriptor[]): CommandModule {
  const settings = modalities.flatMap((m) => m.recipes.flatMap((r) => r.settings.map((s) => [m.name, s] as const)));
  const layouts = modalities.map((m) => `${m.name}: ${[...m.datasets.map((l) => l.describe), ...(m.embedded ? [`default ${m.embedded.describe}`] : [])].join('; ')}`).join('. ');
  return {
    command: 'train <modality>',
    describe: 'train an autoencoder and save its model folder',
    builder: (y: Argv) =>
      withExamples(modalities, 'train', declareSettings(
        y
          .positional('modality', { type: 'string', choices: modalities.map((m) => m.name), describe: 'what the model encodes' })
          .option('out', { type: 'string', demandOption: true, describe: 'model folder to write (created; replaced atomically)' })
          .option('data', { type: 'string', describe: `training data. ${layouts}` })
          .option('recipe', { type: 'string', describe: `how to train: ${modalities.map((m) => `${m.name}: ${m.recipes.map((r) => r.name).join(', ')}`).join('; ')} [default: the first]` })
          .option('epochs', { type: 'number', describe: 'training epochs [default: the recipe\'s, 10]' })
          .option('batch-size', { type: 'number', describe: 'samples per step [default: the recipe\'s, 64]' })
          .option('lr', { type: 'number', describe: 'learning rate (Adam) [default: the recipe\'s, 0.001]' })
          .option('count', { type: 'number', describe: 'samples: embedded samples to make [default: 2000], or at most this many from --data [default: all]' })
          .option('val-split', { type: 'number', describe: 'fraction held out for the validation loss [default: the recipe\'s, 0.1]' })
          .option('seed', { type: 'number', default: 42, describe: 'seed of shuffling, noise and embedded data' })
          .option('threads', { type: 'string', describe: "how training on onnxruntime uses the cores: auto (times 1 thread against split halves during the fit), 1, 2 (intra-op threads), spin (2 intra-op threads that spin-wait) or split (two half-batches at once) [default: auto]" })
          .option('time-limit', { type: 'number', describe: 'stop training after this many seconds, keeping the weights so far' })
          .option('checkpoints', { type: 'string', describe: 'folder (inside --out-root if given) for per-epoch checkpoints' })
          .option('resume', { type: 'boolean', default: false, describe: 'continue from --checkpoints if it holds one' })
          .option('strict', { type: 'boolean', default: false, describe: 'exit 1 (and save nothing) when the collapse check finds the model did not learn' }),
        settings,
        { prefix: true },
      )),
    async run(argv: Args, ctx: CommandContext): Promise<void> {
      const [{ InvalidArgumentError, resolveSettings }, { modalityNamed }] = await Promise.all([import('@latentkit/core'), import('../lib/modality-io.js')]);
      const d = modalityNamed(ctx.modalities, reqString(argv, 'modality'));
      const recipeName = optString(argv, 'recipe') ?? d.recipes[0]?.name;
      const recipe = d.recipes.find((r) => r.name === recipeName);
      if (!recipe) throw new UsageError(`--recipe ${String(recipeName)} is not a recipe of ${d.name}; its recipes are ${d.recipes.map((r) => r.name).join(', ') || 'none'}.`);
      // Settings of other modalities' recipes that the user gave do not silently do nothing.
      const foreign = [...new Set(settings.map(([, s]) => s.name))].filter((n) => argv[n] !== undefined && !recipe.settings.some((s) => s.name === n));
      if (foreign.length) {
        throw new UsageError(`${foreign.map((n) => `--${n}`).join(', ')} ${foreign.length > 1 ? 'are not settings' : 'is not a setting'} of the ${d.name} recipe '${recipe.name}' (its settings: ${recipe.settings.map((s) => `--${s.name}`).join(', ') || 'none'}).`);
      }
      const given = givenSettings(argv, recipe.settings);
      try {
        resolveSettings(recipe.settings, given, 'option');
      } catch (e) {
        if (e instanceof InvalidArgumentError) throw new UsageError(e.message.replace(/option '([^']+)'/, '--$1'));
        throw e;
      }
      const outPath = reqString(argv, 'out', 'the model folder to write.');
      const data = optString(argv, 'data');
      // A user's --data trains on all of it unless --count says otherwise (a silent cap of 2,000
      // cost FSDD's recipe its digit figure); only embedded data needs a size to make.
      const count = optNumber(argv, 'count', { min: 1, max: 1_000_000, integer: true }) ?? (data === undefined || data === 'synthetic' ? 2000 : undefined);
      const seed = optNumber(argv, 'seed', { integer: true }) ?? 42;
      const limitSeconds = optNumber(argv, 'time-limit', { min: 1 });
      const checkpoints = optString(argv, 'checkpoints');
      const resume = flag(argv, 'resume');
      if (resume && !checkpoints) throw new UsageError('--resume needs --checkpoints (the folder the earlier run wrote).');
      const fit: FitOptions = { seed };
      const set = <K extends keyof FitOptions>(key: K, value: FitOptions[K] | undefined) => value !== undefined && (fit[key] = value);
      set('epochs', optNumber(argv, 'epochs', { min: 1, max: 100_000, integer: true }));
      set('batchSize', optNumber(argv, 'batch-size', { min: 1, max: 65_536, integer: true }));
      set('learningRate', optNumber(argv, 'lr', { min: 1e-9, max: 10 }));
      set('validationSplit', optNumber(argv, 'val-split', { min: 0, max: 0.9 }));
      set('timeLimitMs', limitSeconds !== undefined ? limitSeconds * 1000 : undefined);
      set('threads', threadsArg(optString(argv, 'threads')));

      const [{ openOutputDir }, { trainingProgress, formatSeconds }, { describeEngine, initEngine }] = await Promise.all([import('../lib/output.js'), import('../lib/progress.js'), import('@latentkit/core')]);
      const out = await openOutputDir(outPath, outputOptions(argv, ctx));
      if (checkpoints) {
        const ck = await openOutputDir(checkpoints, outputOptions(argv, ctx));
        fit.checkpoint = { dir: ck.path };
        fit.resume = resume;
      }
      // First line: which engine trains, and why any better one was skipped.
      ctx.log(describeEngine(await initEngine()));
      const t0 = performance.now();
      ctx.log(`loading ${d.name} data (${data ?? 'embedded'})...`);
      const dataset = await loadData(d, data, { ...(count !== undefined ? { limit: count } : {}), seed, settings: given });
      const label = `${d.name} ${recipe.name}`;
      ctx.log(`training ${label} on ${dataset.source}`);
      const bar = trainingProgress(label, ctx.progress);
      let trained;
      try {
        trained = await recipe.train(dataset, { settings: given, fit: { ...fit, onProgress: bar.onProgress }, log: ctx.log });
      } finally {
        bar.stop();
      }
      const { model, history } = trained;
      try {
        for (const note of trained.notes) ctx.log(note);
        if (history.stoppedByTimeLimit) ctx.log(`${label}: time limit of ${limitSeconds}s reached after ${history.epochs.length} full epoch(s); keeping the weights trained so far`);
        // The modality's collapse check, before saving: a model that did not learn is said so plainly.
        if (d.trainingCheck) {
          const { describeCollapse, ModelDidNotLearnError, spreadSample } = await import('@latentkit/core');
          const verdict = await d.trainingCheck.run(model, spreadSample(dataset.samples, CHECK_SAMPLES));
          ctx.stdout.write(`${describeCollapse(verdict)}\n`);
          if (verdict.status === 'collapsed' && flag(argv, 'strict')) {
            throw new ModelDidNotLearnError(verdict, `the trained ${d.name} model did not learn (collapse check above); --strict: nothing saved to ${out.display}`, {
              hint: 'Train longer (--epochs), or try another --lr; without --strict the model is saved anyway.',
            });
          }
        }
        await model.save(await out.subdir('.'));
        const loss = history.loss.at(-1);
        const valLoss = history.valLoss.at(-1);
        ctx.stdout.write(
          `saved ${model.config.kind} to ${out.display} (${history.epochs.length} epochs, loss ${loss?.toPrecision(4) ?? '-'}` +
            `${valLoss !== undefined ? `, val loss ${valLoss.toPrecision(4)}` : ''}, ${formatSeconds((performance.now() - t0) / 1000)}` +
            `${history.engineCores ? `; steps on ${history.engineCores}` : ''})\n`,
        );
      } finally {
        model.dispose();
      }
    },
  };
}
