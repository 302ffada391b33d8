/**
 * @file `latentkit train <image|audio|text>`: trains a model on embedded synthetic data or on
 * `--data`, with a progress bar, and saves the model folder to `--out`.
 */
import type { Argv } from 'yargs';
import type { FitOptions } from '@latentkit/core';
import { choice, flag, optNumber, optString, reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import type { Fittable } from '../lib/fit.js';
import { UsageError } from '../lib/usage-error.js';

const MODALITIES = ['image', 'audio', 'text'] as const;
const IMAGE_ARCHS = ['conv', 'dense', 'vae', 'denoising'] as const;

/** Parses `gaussian:0.5` / `mask:0.3` / `salt-and-pepper:0.1`. */
export function parseNoise(spec: string): { type: 'gaussian' | 'mask' | 'salt-and-pepper'; amount: number } {
  const m = /^(gaussian|mask|salt-and-pepper):([0-9.]+)$/.exec(spec.trim());
  if (!m || !Number.isFinite(Number(m[2]))) {
    throw new UsageError(`--noise must look like gaussian:0.5, mask:0.3 or salt-and-pepper:0.1; got '${spec}'.`);
  }
  return { type: m[1] as 'gaussian' | 'mask' | 'salt-and-pepper', amount: Number(m[2]) };
}

export const trainCommand: CommandModule = {
  command: 'train <modality>',
  describe: 'train an autoencoder and save its model folder',
  builder: (y: Argv) =>
    y
      .positional('modality', { choices: MODALITIES, describe: 'what the model encodes' })
      .option('out', { type: 'string', demandOption: true, describe: 'model folder to write (created; replaced atomically)' })
      .option('data', {
        type: 'string',
        describe:
          'training data. image: MNIST IDX folder, data folder with mnist/, or image folder (one subfolder per class); ' +
          'audio: FSDD / tts-speakers / data folder or a folder of WAVs; text: a text file, one sentence per line. ' +
          'Default (image, audio): embedded synthetic data',
      })
      .option('arch', { type: 'string', choices: IMAGE_ARCHS, default: 'conv', describe: 'image model: conv AE, dense AE, VAE, or denoising conv AE' })
      .option('epochs', { type: 'number', default: 10, describe: 'training epochs' })
      .option('batch-size', { type: 'number', default: 64, describe: 'samples per step' })
      .option('lr', { type: 'number', default: 1e-3, describe: 'learning rate (Adam)' })
      .option('latent-dim', { type: 'number', describe: 'code size (image: the code; audio: the speaker code; text: the sentence-level part of the code)' })
      .option('count', { type: 'number', default: 2000, describe: 'samples: synthetic images to draw, or at most this many from --data' })
      .option('noise', { type: 'string', default: 'gaussian:0.5', describe: 'corruption of the denoising model (gaussian:σ, mask:p, salt-and-pepper:p)' })
      .option('shift', { type: 'number', default: 0, describe: 'image: translate training images by up to this many pixels (augmentation; 2 suits 28x28 digits)' })
      .option('val-split', { type: 'number', default: 0.1, describe: 'fraction held out for the validation loss' })
      .option('seed', { type: 'number', default: 42, describe: 'seed of shuffling, noise and synthetic data' })
      .option('time-limit', { type: 'number', describe: 'stop training after this many seconds, keeping the weights so far' })
      .option('checkpoints', { type: 'string', describe: 'folder (inside --out-root if given) for per-epoch checkpoints' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue from --checkpoints if it holds one' })
      .example('$0 train image --out models/glyphs', 'conv AE on 2000 synthetic digit glyphs')
      .example('$0 train image --arch vae --data ../shared/data/mnist --count 60000 --epochs 20 --out models/mnist-vae', 'VAE on MNIST')
      .example('$0 train audio --out models/voices --epochs 30', 'speaker/content speech AE on the synthetic corpus')
      .example('$0 train audio --data ../shared/data/fsdd --out models/fsdd', 'speech AE on FSDD')
      .example('$0 train text --data sentences.txt --out models/sentences', 'sentence AE on your sentences'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const modality = choice(argv, 'modality', MODALITIES);
    const outPath = reqString(argv, 'out', 'the model folder to write.');
    const data = optString(argv, 'data');
    const epochs = optNumber(argv, 'epochs', { min: 1, max: 100_000, integer: true }) ?? 10;
    const batchSize = optNumber(argv, 'batch-size', { min: 1, max: 65_536, integer: true }) ?? 64;
    const learningRate = optNumber(argv, 'lr', { min: 1e-9, max: 10 }) ?? 1e-3;
    const latentDim = optNumber(argv, 'latent-dim', { min: 1, max: 65_536, integer: true });
    const shift = optNumber(argv, 'shift', { min: 0, max: 64, integer: true }) ?? 0;
    const count = optNumber(argv, 'count', { min: 1, max: 1_000_000, integer: true }) ?? 2000;
    const seed = optNumber(argv, 'seed', { integer: true }) ?? 42;
    const validationSplit = optNumber(argv, 'val-split', { min: 0, max: 0.9 }) ?? 0.1;
    const budgetSeconds = optNumber(argv, 'time-limit', { min: 1 });
    const checkpoints = optString(argv, 'checkpoints');
    const resume = flag(argv, 'resume');
    if (resume && !checkpoints) throw new UsageError('--resume needs --checkpoints (the folder the earlier run wrote).');

    const [{ openOutputDir }, { loadAudioData, loadImageData, loadTextData }, { fitWithBudget }, { formatSeconds }] = await Promise.all([
      import('../lib/output.js'),
      import('../lib/data.js'),
      import('../lib/fit.js'),
      import('../lib/progress.js'),
    ]);
    const out = await openOutputDir(outPath, outputOptions(argv, ctx));
    const fit: FitOptions = { epochs, batchSize, learningRate, seed, validationSplit };
    if (checkpoints) {
      const ck = await openOutputDir(checkpoints, outputOptions(argv, ctx));
      fit.checkpoint = { dir: ck.path };
      fit.resume = resume;
    }

    // First line: which engine trains, and why any better one was skipped.
    const core = await import('@latentkit/core');
    ctx.log(core.describeEngine(await core.initEngine()));
    const t0 = performance.now();
    let model: Fittable<any> & { save(dir: string): Promise<void>; dispose(): void; config: { kind: string } };
    let samples: unknown[];
    let source: string;
    if (modality === 'image') {
      const image = await import('@latentkit/image');
      const arch = choice(argv, 'arch', IMAGE_ARCHS, 'conv');
      ctx.log(`loading images (${data ?? 'synthetic'})...`);
      const d = await loadImageData(data, { count, seed });
      const first = d.images[0];
      const inputShape: [number, number, number] = [first.height, first.width, first.channels];
      const common = { inputShape, ...(latentDim !== undefined ? { latentDim } : {}), augment: shift > 0 ? { shift } : null };
      model =
        arch === 'dense'
          ? image.DenseImageAutoencoder.create(common)
          : arch === 'vae'
            ? image.ImageVAE.create(common)
            : arch === 'denoising'
              ? image.ConvImageAutoencoder.create({ ...common, corruption: parseNoise(optString(argv, 'noise') ?? 'gaussian:0.5') })
              : image.ConvImageAutoencoder.create(common);
      samples = d.images;
      source = d.source;
    } else if (modality === 'audio') {
      const audio = await import('@latentkit/audio');
      ctx.log(`loading speech (${data ?? 'synthetic'})...`);
      const d = await loadAudioData(data, { limit: data ? count : undefined, seed });
      model = audio.SpeechAutoencoder.create({ sampleRate: d.sampleRate, ...(latentDim !== undefined ? { speakerDim: latentDim } : {}) });
      samples = d.clips;
      source = d.source;
    } else {
      if (!data) throw new UsageError('train text needs --data: a text file with one sentence per line.');
      const text = await import('@latentkit/text');
      const d = await loadTextData(data);
      model = text.SentenceAutoencoder.create(latentDim !== undefined ? { globalDim: latentDim } : {});
      samples = d.sentences.slice(0, count);
      source = d.source;
    }
    try {
      ctx.log(`training ${model.config.kind} on ${source}`);
      const summary = await fitWithBudget(model.config.kind, model, samples, fit, { ...ctx.progress, budgetSeconds });
      await model.save(await out.subdir('.'));
      const val = summary.valLoss !== undefined ? `, val loss ${summary.valLoss.toPrecision(4)}` : '';
      ctx.stdout.write(
        `saved ${model.config.kind} to ${out.display} (${summary.epochs} epochs, loss ${summary.loss?.toPrecision(4) ?? '-'}${val}, ` +
          `${formatSeconds((performance.now() - t0) / 1000)})\n`,
      );
    } finally {
      model.dispose();
    }
  },
};
