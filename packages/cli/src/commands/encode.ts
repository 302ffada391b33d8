/**
 * @file `latentkit encode <image|audio|text>`: turns inputs into codes and writes them as one
 * float32 `.npy` of shape `[n, d]`, row `i` = input `i` (files in the order given, folders
 * sorted by name, text files line by line).
 */
import type { Argv } from 'yargs';
import type { Latent } from '@latentkit/core';
import { choice, optString, reqString, stringList, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import type { OutputFile } from '../lib/output.js';
import { UsageError } from '../lib/usage-error.js';

const MODALITIES = ['image', 'audio', 'text'] as const;
const PARTS = ['all', 'speaker', 'content', 'meaning', 'vectors', 'lemmas', 'global'] as const;
const TEXT_PARTS: readonly string[] = ['meaning', 'vectors', 'lemmas', 'global'];
const AUDIO_PARTS: readonly string[] = ['speaker', 'content'];

/**
 * Resolves `--pretrained`: `tiny` is the committed tiny encoder of @latentkit/text; anything
 * else is a hub id or a folder, as SentenceEncoder.load reads it.
 */
export async function pretrainedPath(name: string): Promise<string> {
  if (name === 'tiny') return (await import('@latentkit/text')).tinySentenceEncoderPath();
  return name;
}

/**
 * Picks the audio code to export: the whole code, the speaker part, or the pooled content part
 * (`content` over time has a length per clip, so its time-pooled form is what fits `[n, d]`).
 */
export function audioPart(latents: readonly Latent[], part: 'all' | 'speaker' | 'content'): Latent[] {
  if (part === 'all') return [...latents];
  return namedPart(latents, part === 'speaker' ? 'speaker' : 'contentPooled', 'a speaker/content speech model');
}

/** Each latent's part `name`, or a usage error naming the first latent without it. */
export function namedPart(latents: readonly Latent[], name: string, needs: string): Latent[] {
  return latents.map((l, i) => {
    const p = l.parts?.[name];
    if (!p) throw new UsageError(`Latent ${i} has no '${name}' part; --part needs ${needs}.`);
    return p;
  });
}

export const encodeCommand: CommandModule = {
  command: 'encode <modality>',
  describe: 'encode images, WAVs or sentences into a float32 .npy of shape [n, d]',
  builder: (y: Argv) =>
    y
      .positional('modality', { choices: MODALITIES, describe: 'what the inputs are' })
      .option('in', { type: 'string', array: true, demandOption: true, describe: 'image/WAV files or folders (sorted by name), or text files (one sentence per line)' })
      .option('out', { type: 'string', demandOption: true, describe: '.npy file to write (a name ending in .json writes the latents as JSON instead)' })
      .option('model', { type: 'string', describe: 'model folder (image and audio: required; text: default the shipped sentence autoencoder)' })
      .option('part', {
        type: 'string',
        choices: PARTS,
        describe:
          "audio: speaker code or time-pooled content code (default all); text (sentence autoencoder): default the model's comparison code (meaning: word vectors + lemma bag), or its halves vectors / lemmas, the global part, or all (the decoder's code)",
      })
      .option('pretrained', { type: 'string', describe: "text: a pretrained sentence encoder instead: 'tiny' (committed, for tests: too small to carry meaning), a hub id (needs the network), or a folder holding a Transformers.js model (config.json, tokenizer.json, onnx/model.onnx)" })
      .example('$0 encode text --in sentences.txt --out codes.npy', 'shipped sentence autoencoder, one row per line: its meaning code')
      .example('$0 encode text --part all --in sentences.txt --out codes.npy', "the decoder's code (what decode reads)")
      .example('$0 encode text --pretrained ./all-MiniLM-L6-v2 --in sentences.txt --out codes.npy', 'a Transformers.js model folder')
      .example('$0 encode text --pretrained tiny --in sentences.txt --out codes.npy', 'the tiny pretrained transformer encoder')
      .example('$0 encode image --model models/glyphs --in digits/ --out digits.npy', 'every image under digits/, sorted by name')
      .example('$0 encode audio --model models/voices --part speaker --in clips/ --out speakers.npy', 'speaker codes of WAVs')
      .example('$0 encode text --in sentences.txt --out codes.json', 'the same codes as JSON (one object per sentence)'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const modality = choice(argv, 'modality', MODALITIES);
    const inputs = stringList(argv, 'in');
    if (inputs.length === 0) throw new UsageError('--in needs at least one file or folder.');
    const modelDir = optString(argv, 'model');
    const partArg = optString(argv, 'part');
    const part = partArg === undefined ? undefined : choice(argv, 'part', PARTS);
    const pretrained = optString(argv, 'pretrained');
    if (part && AUDIO_PARTS.includes(part) && modality !== 'audio') throw new UsageError(`--part ${part} applies to audio only.`);
    if (part && TEXT_PARTS.includes(part) && (modality !== 'text' || pretrained !== undefined)) {
      throw new UsageError(`--part ${part} applies to text encoded by a sentence autoencoder only.`);
    }
    if (pretrained !== undefined && modality !== 'text') throw new UsageError('--pretrained applies to text only.');
    if (pretrained !== undefined && modelDir !== undefined) throw new UsageError('Give --model or --pretrained, not both.');

    const [{ stackLatents, latentsToJSON }, { codesToNpy }, { readSentences }, { encodeWithProgress, imageFiles, readClips, readImagesForModel, wavFiles }, { loadAnyModel }, { openOutputFile }] =
      await Promise.all([
        import('@latentkit/core'),
        import('../lib/codes.js'),
        import('../lib/inputs.js'),
        import('../lib/media.js'),
        import('../lib/models.js'),
        import('../lib/output.js'),
      ]);
    let latents: Latent[];
    let out: OutputFile;
    if (modality === 'text') {
      out = await openOutputFile(reqString(argv, 'out'), outputOptions(argv, ctx));
      const sentences: string[] = [];
      for (const f of inputs) sentences.push(...(await readSentences(f)));
      const text = await import('@latentkit/text');
      if (pretrained !== undefined) {
        const encoder = await text.SentenceEncoder.load(await pretrainedPath(pretrained));
        try {
          latents = await encodeWithProgress(encoder, sentences, 'encoding', ctx.progress);
        } finally {
          await encoder.dispose();
        }
      } else {
        const model = modelDir ? await loadAnyModel(modelDir, 'text') : await text.SentenceAutoencoder.loadDefault();
        // The default is the part the model names for comparing sentences (its meaning code).
        const chosen = part ?? (model instanceof text.SentenceAutoencoder ? model.defaultPart : undefined) ?? 'all';
        try {
          // Only the part written to a .npy is computed (a JSON file keeps every part).
          const parts = /\.json$/i.test(out.name) ? undefined : chosen === 'all' ? [] : [chosen];
          latents = await encodeWithProgress(model, sentences, 'encoding', ctx.progress, 256, parts);
        } finally {
          model.dispose();
        }
        if (chosen !== 'all') latents = namedPart(latents, chosen, chosen === 'global' ? 'a sentence autoencoder with globalDim > 0' : 'a sentence autoencoder with a word space');
      }
    } else {
      if (!modelDir) throw new UsageError(`encode ${modality} needs --model: a folder written by \`latentkit train ${modality}\`.`);
      const files = modality === 'image' ? await imageFiles(inputs) : await wavFiles(inputs);
      out = await openOutputFile(reqString(argv, 'out'), outputOptions(argv, ctx, files));
      const model = await loadAnyModel(modelDir, modality);
      try {
        if (modality === 'image') {
          const images = await readImagesForModel(files, model.config.inputShape as number[], ctx.progress);
          latents = await encodeWithProgress(model, images, 'encoding', ctx.progress);
        } else {
          const clips = await readClips(files, ctx.progress);
          latents = audioPart(await encodeWithProgress(model, clips, 'encoding', ctx.progress, 32), (part ?? 'all') as 'all' | 'speaker' | 'content');
        }
      } finally {
        model.dispose();
      }
    }
    const batch = stackLatents(latents);
    const [n, ...rest] = batch.shape;
    const d = rest.reduce((a, b) => a * b, 1);
    if (/\.json$/i.test(out.name)) {
      // Parts over time (an audio content code) vary in length, so JSON keeps each latent whole.
      const written = await out.write(JSON.stringify(latentsToJSON(latents)) + '\n');
      ctx.stdout.write(`wrote ${written}: ${n} latents of [${rest.join(', ')}] as JSON\n`);
      return;
    }
    const written = await out.write(codesToNpy({ data: batch.data, rows: n, cols: d }));
    ctx.stdout.write(`wrote ${written}: float32 [${n}, ${d}]\n`);
  },
};
