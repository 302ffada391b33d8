/**
 * @file `latentkit convert-voice`: the words of one recording in the voice of another, with a
 * speaker/content speech model.
 */
import type { Argv } from 'yargs';
import { reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';

export const convertVoiceCommand: CommandModule = {
  command: 'convert-voice',
  describe: 'say what --source says in the voice of --target (speech model with speaker/content codes)',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'speech model folder (`latentkit train audio`)' })
      .option('source', { type: 'string', demandOption: true, describe: 'WAV whose words to keep' })
      .option('target', { type: 'string', demandOption: true, describe: 'WAV of the voice to use' })
      .option('out', { type: 'string', demandOption: true, describe: 'WAV file to write' })
      .example('$0 convert-voice --model models/voices --source alice.wav --target bob.wav --out bob-says.wav', "Alice's words, Bob's voice"),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const source = reqString(argv, 'source');
    const target = reqString(argv, 'target');
    const [{ readClips }, { loadAnyModel }, { openOutputFile }] = await Promise.all([
      import('../lib/media.js'),
      import('../lib/models.js'),
      import('../lib/output.js'),
    ]);
    const out = await openOutputFile(reqString(argv, 'out'), outputOptions(argv, ctx));
    const model = await loadAnyModel(reqString(argv, 'model'), 'audio');
    try {
      if (typeof (model as { convert?: unknown }).convert !== 'function') {
        throw new (await import('@latentkit/core')).ModelMismatchError(`${model.config.kind} models cannot convert voices; train one with \`latentkit train audio\`.`);
      }
      const [src, tgt] = await readClips([source, target], ctx.progress);
      const audio = await import('@latentkit/audio');
      const speech = model as unknown as { convert(a: typeof src, b: typeof tgt): Promise<typeof src>; speakerSimilarity(a: typeof src, b: typeof tgt): Promise<number> };
      const converted = await speech.convert(src, tgt);
      const written = await out.write(audio.encodeWav16(converted));
      const [toTarget, toSource] = [await speech.speakerSimilarity(converted, tgt), await speech.speakerSimilarity(converted, src)];
      ctx.stdout.write(
        `wrote ${written} (${(converted.samples.length / converted.sampleRate).toFixed(2)} s); speaker similarity of the result: ` +
          `to target ${toTarget.toFixed(3)}, to source ${toSource.toFixed(3)}\n`,
      );
    } finally {
      model.dispose();
    }
  },
};
