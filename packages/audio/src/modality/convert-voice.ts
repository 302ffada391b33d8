/**
 * @file The `convert-voice` operation of the audio modality: the words of one recording in the
 * voice of another, with a speaker/content speech model.
 */
import { ModelMismatchError, type ModalityOperation } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { encodeWav16 } from '../io/write-wav.js';
import { SpeechAutoencoder } from '../models/speech-autoencoder.js';

/** `latentkit convert-voice`: `source`'s words in `target`'s voice, as a WAV. */
export const convertVoiceOperation: ModalityOperation = {
  name: 'convert-voice',
  describe: 'say what --source says in the voice of --target (speech model with speaker/content codes)',
  options: [
    { name: 'model', type: 'string', required: true, describe: 'speech model folder (`latentkit train audio`)' },
    { name: 'source', type: 'string', required: true, describe: 'WAV whose words to keep' },
    { name: 'target', type: 'string', required: true, describe: 'WAV of the voice to use' },
    { name: 'out', type: 'string', required: true, describe: 'WAV file to write' },
  ],
  examples: [['$0 convert-voice --model models/voices --source alice.wav --target bob.wav --out bob-says.wav', "Alice's words, Bob's voice"]],
  async run(s, ctx) {
    const [source, target] = [s.source as string, s.target as string];
    const out = await ctx.openOutputFile(s.out as string, [source, target]);
    const model = await ctx.loadModel(s.model as string);
    try {
      if (!(model instanceof SpeechAutoencoder)) {
        throw new ModelMismatchError(`${model.config.kind} models cannot convert voices; train one with \`latentkit train audio\`.`);
      }
      const read = await ctx.readInputs([source, target], model.config);
      const [src, tgt] = read.samples as AudioClip[];
      const converted = await model.convert(src, tgt);
      const written = await out.write(encodeWav16(converted));
      const [toTarget, toSource] = [await model.speakerSimilarity(converted, tgt), await model.speakerSimilarity(converted, src)];
      ctx.print(
        `wrote ${written} (${(converted.samples.length / converted.sampleRate).toFixed(2)} s); speaker similarity of the result: ` +
          `to target ${toTarget.toFixed(3)}, to source ${toSource.toFixed(3)}`,
      );
    } finally {
      model.dispose();
    }
  },
};
