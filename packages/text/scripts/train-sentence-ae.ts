/**
 * @file Trains the default sentence autoencoder on WordNet (training split: gloss definitions
 * and example sentences, plus gloss/example pairs for the contrastive term) and saves it to
 * `packages/text/models/sentence-ae`.
 *
 *   npx tsx --conditions=source packages/text/scripts/train-sentence-ae.ts [--epochs 60]
 *
 * An "epoch" here is `--steps` batches drawn from a fresh shuffle of the corpus, so progress is
 * checkpointed every few minutes; an interrupted run continues from its checkpoint when started
 * again with the same flags. Every `--eval-every` epochs the model is scored on held-out
 * WordNet sentences, and the output folder is replaced (atomically) whenever the score improves.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeEngine, initEngine, type Latent, type ProgressEvent } from '@latentkit/core';
import { fnv1a, readWordNet, wordnetPairs, wordnetSentences } from '../src/datasets/wordnet.js';
import { Lexicon } from '../src/models/lexicon.js';
import { evaluateFillIn, evaluateReconstruction, recallAtK, cosineMatrix, tfidfCosineMatrix } from '../src/models/evaluate.js';
import { SentenceAutoencoder, defaultSentenceAutoencoderPath, type SentenceAutoencoderOptions, type SentenceSample } from '../src/models/sentence-autoencoder.js';
import { WORDNET_WORD_SPACE, buildWordNetWordSpace } from './wordnet-word-space.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('train-sentence-ae')
  .option('epochs', { type: 'number', default: 60, describe: 'epochs of --steps batches each' })
  .option('steps', { type: 'number', default: 150, describe: 'batches per epoch' })
  .option('batch-size', { type: 'number', default: 64 })
  .option('lr', { type: 'number', default: 2e-3, describe: 'peak learning rate (cosine decay to 10% over --epochs)' })
  .option('eval-every', { type: 'number', default: 3, describe: 'score on held-out sentences every this many epochs' })
  .option('eval-size', { type: 'number', default: 400, describe: 'held-out sentences per score' })
  .option('pairs', { type: 'boolean', default: true, describe: 'train gloss/example pairs with the contrastive loss' })
  .option('self-pairs', { type: 'number', default: 0.25, describe: 'fraction of sentences also trained as a pair with themselves (two differently corrupted copies)' })
  .option('sentences', { type: 'number', default: 1, describe: 'fraction of the plain (unpaired) training sentences used; 0 trains on pairs only' })
  .option('config', { type: 'string', default: '{}', describe: 'JSON SentenceAutoencoderOptions overriding the defaults' })
  .option('out', { type: 'string', default: defaultSentenceAutoencoderPath(), describe: 'where the best model is saved' })
  .option('checkpoint', { type: 'string', default: join(tmpdir(), 'latentkit-sentence-ae-ckpt'), describe: 'checkpoint folder (resumed from when present)' })
  .option('init-from', { type: 'string', describe: 'when starting (no checkpoint yet), copy the weights of networks with matching shapes from this model folder' })
  .option('fresh', { type: 'boolean', default: false, describe: 'delete the checkpoint and start over' })
  .option('seed', { type: 'number', default: 42 })
  .option('word-space', { type: 'boolean', default: true, describe: 'give the model the LSA word space of scripts/wordnet-word-space.ts (the meaning part of its codes)' })
  .strict()
  .help()
  .parseAsync();

const engine = await initEngine();
console.log(describeEngine(engine));

const options: SentenceAutoencoderOptions = JSON.parse(argv.config) as SentenceAutoencoderOptions;
const probe = SentenceAutoencoder.create(options);
const maxLength = probe.config.maxLength;
probe.dispose();

const synsets = await readWordNet();
const sentences = wordnetSentences(synsets, { split: 'train', maxChars: maxLength });
const pairs = argv.pairs ? wordnetPairs(synsets, { split: 'train', maxChars: maxLength }) : [];
// Self-pairs (a sentence and itself, each copy corrupted on its own, as in SimCSE) give the
// contrastive loss easy positives to start from; without them the global part of the code
// collapses to one point before gloss/example pairs teach it anything.
const selfCut = Math.round(argv['self-pairs'] * 0x1_0000_0000);
const sentenceCut = Math.round(Math.min(1, Math.max(0, argv.sentences)) * 0x1_0000_0000);
const samples: SentenceSample[] = [
  ...sentences
    .filter((s) => argv.sentences >= 1 || fnv1a(`keep:${s}`) < sentenceCut)
    .map((s): SentenceSample => (argv.pairs && fnv1a(`self:${s}`) < selfCut ? { text: s, positive: s } : s)),
  ...pairs.map((p) => ({ text: p.definition, positive: p.example })),
];
const heldShort = wordnetSentences(synsets, { split: 'heldout', maxWords: 8 });
// A fixed, spread-out sample of held-out sentences, the same at every evaluation.
const evalSet = heldShort.filter((_, i) => i % Math.max(1, Math.floor(heldShort.length / argv['eval-size'])) === 0).slice(0, argv['eval-size']);
const heldPairs = wordnetPairs(synsets, { split: 'heldout', maxChars: maxLength }).slice(0, 500);
const bowSims = tfidfCosineMatrix(heldPairs.map((p) => p.definition), heldPairs.map((p) => p.example));
const bowRecall = recallAtK((i, j) => bowSims[i * heldPairs.length + j], heldPairs.length, 10);
console.log(`corpus: ${sentences.length} sentences (${samples.filter((x) => typeof x !== 'string').length - pairs.length} as self-pairs) + ${pairs.length} pairs (train, <= ${maxLength} chars); eval: ${evalSet.length} held-out sentences <= 8 words, ${heldPairs.length} held-out pairs (tf-idf R@10 ${bowRecall.toFixed(3)})`);

if (argv.fresh) await rm(argv.checkpoint, { recursive: true, force: true });
await mkdir(argv.checkpoint, { recursive: true });
const model = SentenceAutoencoder.create(options);
console.log(`model: ${model.countParams()} parameters, config ${JSON.stringify(model.config)}`);
// fillIn's word prior: every word of the training split, each sentence counted once (not only
// the sentences short enough to train on, and not twice for those that are also in a pair).
model.setLexicon(Lexicon.fromTexts(wordnetSentences(synsets, { split: 'train' })));
// The meaning part of the codes (LSA over training synsets; minutes, once, before training).
let wordSpaceInfo: Record<string, number> | undefined;
if (argv['word-space']) {
  const { space, seconds, documents } = buildWordNetWordSpace(synsets);
  model.setWordSpace(space);
  wordSpaceInfo = { dim: space.dim, words: space.size, bits: space.bits, sifA: WORDNET_WORD_SPACE.sifA!, documents, seconds: Math.round(seconds) };
  console.log(`word space: ${space.size} words x ${space.dim} dims from ${documents} synsets in ${seconds.toFixed(0)} s`);
}
if (argv['init-from'] && !existsSync(join(argv.checkpoint, 'latest', 'latentkit.json'))) {
  // Warm start from an earlier model (e.g. one trained before a loss term was added).
  const donor = await SentenceAutoencoder.load(resolve(argv['init-from']));
  // Layer by layer, by name: a layer whose weights keep their shapes starts where it was.
  for (const [name, net] of Object.entries(model.networks)) {
    const from = donor.networks[name];
    const copied: string[] = [];
    const fresh: string[] = [];
    for (const layer of net.layers) {
      if (layer.weights.length === 0) continue;
      let source: ReturnType<typeof net.getLayer> | undefined;
      try {
        source = from?.getLayer(layer.name);
      } catch {
        source = undefined;
      }
      const same = source && source.weights.length === layer.weights.length && source.weights.every((w, i) => w.shape.join() === layer.weights[i].shape.join());
      if (same) {
        layer.setWeights(source!.getWeights());
        copied.push(layer.name);
      } else fresh.push(layer.name);
    }
    console.log(`init-from ${argv['init-from']}: ${name}: ${copied.length} layers copied, fresh: ${fresh.join(', ') || 'none'}`);
  }
  donor.dispose();
}

async function score(m: SentenceAutoencoder) {
  const rec = await evaluateReconstruction(m, evalSet);
  const fill = await evaluateFillIn(m, evalSet, 0.1);
  const defs = await m.encode(heldPairs.map((p) => p.definition));
  const exs = await m.encode(heldPairs.map((p) => p.example));
  const n = heldPairs.length;
  // The global part is the sentence-level code (see SentenceAutoencoder.encode); the full code also carries spelling.
  const part = (l: Latent) => l.parts?.global?.data ?? l.data;
  const sims = cosineMatrix(defs.map(part), exs.map(part));
  const fullSims = cosineMatrix(defs.map((l) => l.data), exs.map((l) => l.data));
  const r10 = recallAtK((i, j) => sims[i * n + j], n, 10);
  const r10full = recallAtK((i, j) => fullSims[i * n + j], n, 10);
  return { exact: rec.exactMatch, cer: rec.charErrorRate, fill: fill.accuracy, r10, r10full, outputs: rec.outputs };
}

// Exact match and fill-in are the targets; retrieval breaks ties.
const merit = (exact: number, fill: number, r10: number) => Math.min(exact / 0.9, fill / 0.8) + 0.1 * r10;
let best = -Infinity;
try {
  // Only replace a saved model of the same config with a better one, across restarts too.
  const saved = await SentenceAutoencoder.load(resolve(argv.out));
  const t = saved.training;
  if (JSON.stringify(saved.config) === JSON.stringify(model.config) && t && typeof t.heldOutExactMatch === 'number') {
    best = merit(t.heldOutExactMatch, Number(t.heldOutFillIn), Number(t.heldOutRecallAt10));
    console.log(`existing model in ${argv.out} scores ${best.toFixed(3)}; it is replaced only by a better one`);
  }
  saved.dispose();
} catch {
  // nothing saved yet (or another config): the first evaluation saves
}
const t0 = performance.now();
for (let epoch = argv['eval-every']; epoch <= argv.epochs; epoch += argv['eval-every']) {
  // Cosine decay by epoch, so a resumed run uses the same rate it would have used.
  const lr = argv.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / argv.epochs)));
  const history = await model.fit(samples, {
    epochs: epoch,
    batchSize: argv['batch-size'],
    maxBatchesPerEpoch: argv.steps,
    learningRate: lr,
    seed: argv.seed,
    clipNorm: 5,
    checkpoint: { dir: argv.checkpoint },
    resume: true,
    progressIntervalMs: 30_000,
    onProgress: (e: ProgressEvent) => {
      if (e.type === 'epoch') {
        const m = Object.entries(e.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
        console.log(`epoch ${e.epoch}/${argv.epochs}: loss ${e.loss.toFixed(4)} (${m}), ${e.samplesPerSecond.toFixed(0)} samples/s, ${e.seconds.toFixed(0)} s, lr ${lr.toExponential(2)}`);
      }
    },
  });
  const s = await score(model);
  const minutes = (performance.now() - t0) / 60000;
  console.log(`eval after epoch ${history.epochs.at(-1) ?? epoch} (${minutes.toFixed(1)} min this run, ${history.seconds.toFixed(0)} s trained): exact ${s.exact.toFixed(3)}, CER ${s.cer.toFixed(4)}, fill-in ${s.fill.toFixed(3)}, R@10 global part ${s.r10.toFixed(3)}, full code ${s.r10full.toFixed(3)} (tf-idf ${bowRecall.toFixed(3)})`);
  for (let i = 0; i < 3; i++) console.log(`   ${JSON.stringify(evalSet[i])} -> ${JSON.stringify(s.outputs[i])}`);
  const value = merit(s.exact, s.fill, s.r10);
  if (value > best) {
    best = value;
    model.training = { ...model.training!, ...(wordSpaceInfo ? { wordSpace: wordSpaceInfo } : {}), heldOutExactMatch: s.exact, heldOutCharErrorRate: s.cer, heldOutFillIn: s.fill, heldOutRecallAt10: s.r10, heldOutRecallAt10FullCode: s.r10full, trainedEpochs: history.epochs.at(-1) ?? epoch, stepsPerEpoch: argv.steps, batchSize: argv['batch-size'] };
    // Shipped at half size: float16 weights decode to within rounding of the trained ones.
    await model.save(resolve(argv.out), { weightPrecision: 'float16' });
    console.log(`   saved to ${argv.out}`);
  }
}
model.dispose();
console.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
process.exit(0);
