/**
 * @file Voice conversion: the words of one recording in the voice of another. A speaker/content
 * speech autoencoder is trained on the synthetic speech corpus (a minute on 2 cores), then
 * decodes the content code of the source with the speaker code of the target.
 *
 * Run: npx tsx --conditions=source examples/voice-conversion.ts [source.wav target.wav] [--epochs 40]
 * Writes out/examples/{source,target,converted}.wav.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine, writeFileAtomic } from '@latentkit/core';
import { encodeWav16, readWav, SpeechAutoencoder, syntheticSpeechCorpus, type AudioClip } from '@latentkit/audio';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: 'string', default: '40' }, out: { type: 'string', default: 'out/examples' } },
});
const outDir = resolve(values.out!);

await initEngine();
const corpus = syntheticSpeechCorpus({ speakers: 8, utterancesPerSpeaker: 16, seed: 0 });
let source: AudioClip;
let target: AudioClip;
let what: string;
if (positionals.length === 2) {
  [source, target] = [await readWav(positionals[0]), await readWav(positionals[1])];
  what = `the words of ${positionals[0]} in the voice of ${positionals[1]}`;
} else {
  // New recordings (another seed) of two corpus voices: ava (high) and ben (low).
  const fresh = syntheticSpeechCorpus({ speakers: 2, utterancesPerSpeaker: 2, seed: 1 });
  [source, target] = [fresh[0].clip, fresh[3].clip];
  what = `${fresh[0].speakerName} saying "${fresh[0].text}" in the voice of ${fresh[3].speakerName}`;
}

const model = SpeechAutoencoder.create({ sampleRate: 16000, channels: 48 });
console.log(`training the speech autoencoder on ${corpus.length} synthetic utterances (${corpus.length / 16} voices)...`);
await model.fit(corpus.map((u) => u.clip), {
  epochs: Number(values.epochs),
  batchSize: 16,
  learningRate: 2e-3,
  onProgress: (e) => {
    if (e.type === 'epoch' && (e.epoch % 10 === 0 || e.epoch === e.epochs)) console.log(`  epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(3)}`);
  },
});

const converted = await model.convert(source, target);
console.log(`converted: ${what}`);
console.log(`speaker similarity of the result: to the target ${(await model.speakerSimilarity(converted, target)).toFixed(3)}, to the source ${(await model.speakerSimilarity(converted, source)).toFixed(3)}`);
console.log(`(source vs target before conversion: ${(await model.speakerSimilarity(source, target)).toFixed(3)})`);
await mkdir(outDir, { recursive: true });
await writeFileAtomic(resolve(outDir, 'source.wav'), encodeWav16(source));
await writeFileAtomic(resolve(outDir, 'target.wav'), encodeWav16(target));
await writeFileAtomic(resolve(outDir, 'converted.wav'), encodeWav16(converted));
console.log(`wrote source.wav, target.wav and converted.wav to ${outDir}`);
model.dispose();
