/**
 * @file `npm run bench -- text [--quick] [--json file] [--model dir]`: the shipped sentence
 * autoencoder on held-out WordNet text (synsets whose definition hashes into the held-out 10%,
 * never trained on): exact match and character error rate of reconstructions of sentences of
 * up to 8 words, fill-in of gapped characters, gloss -> example retrieval with the codes
 * (the `meaning` part when the model has a word space) against a tf-idf bag-of-words baseline on the same candidates, and encoding speed of the
 * autoencoder and of the pretrained SentenceEncoder (committed tiny ONNX model). With the STS
 * Benchmark dev split in the data folder (validation only: nothing is fitted on it), Spearman's
 * correlation of code cosines with human similarity, for the default code and each part, against
 * tf-idf with idf from the WordNet training text; and fill-in / exact match on its sentences
 * (ordinary English the model never trained on).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SentenceAutoencoder,
  SentenceEncoder,
  cosineMatrix,
  defaultSentenceAutoencoderPath,
  evaluateFillIn,
  evaluateReconstruction,
  pairCosines,
  readSts,
  readWordNet,
  spearman,
  tfidfPairCosines,
  wordnetDocuments,
  recallAtK,
  tfidfCosineMatrix,
  tinySentenceEncoderPath,
  wordnetPairs,
  wordnetSentences,
} from '@latentkit/text';
import { decodeNpy, describeEngine, initEngine } from '@latentkit/core';
import type { BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

/** Every `step`-th item, so a quick run still spans the whole corpus order. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]);
}

async function sentencesPerSecond(encode: (batch: string[]) => Promise<unknown>, sentences: string[], batchSize: number): Promise<number> {
  await encode(sentences.slice(0, Math.min(batchSize, sentences.length))); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < sentences.length; i += batchSize) await encode(sentences.slice(i, i + batchSize));
  return sentences.length / ((performance.now() - t0) / 1000);
}

const suite: BenchSuite = {
  name: 'text',
  description: 'sentence autoencoder on held-out WordNet: exact match, CER, fill-in, retrieval vs tf-idf, speed',
  async run(ctx) {
    const engine = await initEngine();
    ctx.log(describeEngine(engine));
    const modelDir = typeof ctx.args.model === 'string' ? ctx.args.model : defaultSentenceAutoencoderPath();
    const model = await SentenceAutoencoder.load(modelDir);
    const maxLength = model.config.maxLength;
    const parameters = model.countParams();
    const training = model.training ?? null;
    ctx.log(`model: ${modelDir} (${parameters} parameters, code [${model.codeShape.join(', ')}], max ${maxLength} characters)`);

    const synsets = await readWordNet();
    const heldShort = wordnetSentences(synsets, { split: 'heldout', maxWords: 8 });
    const reconSet = spread(heldShort, ctx.quick ? 1000 : heldShort.length);
    const fillSet = spread(heldShort, ctx.quick ? 1000 : 3000);
    // Pairs whose two sides the model reads whole, so neither method is judged on cut text.
    const pairs = spread(wordnetPairs(synsets, { split: 'heldout', maxChars: maxLength }), 1000);

    const t0 = performance.now();
    const rec = await evaluateReconstruction(model, reconSet);
    ctx.log(`reconstructed ${reconSet.length} held-out sentences of <= 8 words in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const fill = await evaluateFillIn(model, fillSet, 0.1, 7);

    const defs = await model.encode(pairs.map((p) => p.definition));
    const exs = await model.encode(pairs.map((p) => p.example));
    // The part SentenceAutoencoder documents for comparing sentences: `meaning` (its LSA word
    // space) when the model has one, else `global`. The other parts are reported beside it.
    const global = (l: (typeof defs)[number]) => l.parts?.global?.data ?? l.data;
    const codePart = model.defaultPart ?? 'global';
    const part = (l: (typeof defs)[number]) => l.parts?.[codePart]?.data ?? l.data;
    const codeSims = cosineMatrix(defs.map(part), exs.map(part));
    const globalSims = cosineMatrix(defs.map(global), exs.map(global));
    const fullSims = cosineMatrix(defs.map((l) => l.data), exs.map((l) => l.data));
    const bowSims = tfidfCosineMatrix(pairs.map((p) => p.definition), pairs.map((p) => p.example));
    const n = pairs.length;
    const recall = (sims: Float32Array, k: number) => recallAtK((i, j) => sims[i * n + j], n, k);
    const retrieval = { codes: recall(codeSims, 10), global: recall(globalSims, 10), full: recall(fullSims, 10), bow: recall(bowSims, 10) };
    const r1 = { codes: recall(codeSims, 1), global: recall(globalSims, 1), full: recall(fullSims, 1), bow: recall(bowSims, 1) };

    const sts = await stsFigures(model, synsets, ctx.dataDir, ctx.quick);

    // The same pairs through the CLI a user runs (`latentkit encode text`, default part).
    const cli = await cliRetrieval(typeof ctx.args.model === 'string' ? modelDir : undefined, pairs.map((p) => p.definition), pairs.map((p) => p.example), codeSims);

    const speedSet = spread(heldShort, ctx.quick ? 1024 : 4096);
    // Three paths, interleaved so machine load hits them alike; medians of 3: the default part
    // as `latentkit encode text` asks for it (`parts: [default]`: no network for `meaning`),
    // every part (network + meaning code), and the reference: the network alone (the model
    // without its meaning code, today's 1,560 sentences/s path).
    const space = model.meaning ?? model.wordSpace;
    const defaultOnly: number[] = [];
    const withCode: number[] = [];
    const networkOnly: number[] = [];
    for (let r = 0; r < 3; r++) {
      defaultOnly.push(await sentencesPerSecond((b) => model.encode(b, { parts: [codePart] }), speedSet, 256));
      withCode.push(await sentencesPerSecond((b) => model.encode(b), speedSet, 256));
      model.setWordSpace(undefined);
      networkOnly.push(await sentencesPerSecond((b) => model.encode(b), speedSet, 256));
      model.setWordSpace(space);
    }
    const median3 = (xs: number[]) => [...xs].sort((x, y) => x - y)[1];
    const defaultPerS = median3(defaultOnly);
    const encodePerS = median3(withCode);
    const networkPerS = median3(networkOnly);
    const encoder = await SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true });
    let pretrainedPerS: number;
    let pipelinePerS: number;
    try {
      // SentenceEncoder against the raw Transformers.js pipeline (same model, mean pooling,
      // normalised), interleaved so machine load hits both alike; medians of 3.
      const hf = await import('@huggingface/transformers');
      hf.env.allowRemoteModels = false;
      const pipe = await hf.pipeline('feature-extraction', tinySentenceEncoderPath(), { dtype: 'fp32', device: 'cpu', local_files_only: true });
      try {
        const ours: number[] = [];
        const raw: number[] = [];
        for (let r = 0; r < 3; r++) {
          ours.push(await sentencesPerSecond((b) => encoder.encode(b), speedSet, 32));
          raw.push(await sentencesPerSecond(async (b) => (await pipe(b, { pooling: 'mean', normalize: true })).dispose(), speedSet, 32));
        }
        pretrainedPerS = median3(ours);
        pipelinePerS = median3(raw);
      } finally {
        await pipe.dispose();
      }
    } finally {
      await encoder.dispose();
    }
    model.dispose();

    ctx.log('\nReconstruction and fill-in (held-out WordNet sentences of <= 8 words)');
    ctx.log(
      formatTable([
        { measure: 'exact match', value: rec.exactMatch, sentences: rec.count },
        { measure: 'char error rate', value: rec.charErrorRate, sentences: rec.count },
        { measure: 'fill-in accuracy (10% of non-space chars gapped)', value: fill.accuracy, sentences: fillSet.length },
        { measure: 'sentences with every gap restored', value: fill.sentenceAccuracy, sentences: fillSet.length },
      ]),
    );
    ctx.log(`\nRetrieval: held-out gloss -> example of the same synset among ${n} candidates (cosine)`);
    ctx.log(
      formatTable([
        ...(codePart === 'meaning' ? [{ method: 'autoencoder code, meaning part (the default code)', 'recall@10': retrieval.codes, 'recall@1': r1.codes }] : []),
        { method: 'autoencoder code, global part', 'recall@10': retrieval.global, 'recall@1': r1.global },
        { method: "autoencoder code, whole (the decoder's input)", 'recall@10': retrieval.full, 'recall@1': r1.full },
        { method: 'tf-idf bag of words', 'recall@10': retrieval.bow, 'recall@1': r1.bow },
        ...(cli ? [{ method: `latentkit encode text (CLI, default part), ${cli.seconds.toFixed(1)} s`, 'recall@10': cli.recall10, 'recall@1': cli.recall1 }] : []),
      ]),
    );
    if (cli) ctx.log(`CLI codes against the library's: largest cosine difference ${cli.maxCosineDifference.toExponential(1)}`);
    else ctx.log('CLI retrieval skipped: packages/cli/dist/bin.js is missing (npx turbo run build).');
    if (sts) {
      ctx.log(`\nSTS Benchmark dev (${sts.pairs} pairs): Spearman of cosine vs human score`);
      ctx.log(formatTable(Object.entries(sts.spearman).map(([code, rho]) => ({ code: code === codePart ? `${code} (default)` : code, spearman: rho }))));
      ctx.log(`\nOrdinary English (STS-B dev sentences of <= 64 characters, ${sts.sentences}): exact match ${sts.exactMatch.toFixed(3)}, fill-in ${sts.fillIn.toFixed(3)}`);
    } else ctx.log('\nSTS Benchmark dev not found in the data folder (LATENTKIT_DATA): skipped.');
    ctx.log('\nEncoding speed (sentences/s, this machine)');
    ctx.log(
      formatTable([
        { encoder: `SentenceAutoencoder, default part only (${codePart}, as the CLI asks)`, 'sentences/s': defaultPerS, backend: codePart === 'meaning' ? 'none (no network)' : engine.backend },
        { encoder: 'SentenceAutoencoder (tfjs), every part', 'sentences/s': encodePerS, backend: engine.backend },
        { encoder: 'reference: the network alone (no meaning code)', 'sentences/s': networkPerS, backend: engine.backend },
        { encoder: 'SentenceEncoder, tiny ONNX model', 'sentences/s': pretrainedPerS, backend: 'onnxruntime-node' },
        { encoder: 'raw Transformers.js pipeline, same model', 'sentences/s': pipelinePerS, backend: 'onnxruntime-node' },
      ]),
    );
    const examples = rec.outputs.slice(0, 5).map((o, i) => ({ input: reconSet[i], output: o, exact: o === reconSet[i] }));
    ctx.log('\n' + formatTable(examples));

    return {
      exact_match: rec.exactMatch,
      char_error_rate: rec.charErrorRate,
      fill_in_accuracy: fill.accuracy,
      retrieval_at_10: retrieval.codes,
      ...(sts
        ? {
            stsb_dev_spearman: sts.spearman[codePart],
            stsb_dev_spearman_parts: sts.spearman,
            tfidf_stsb_dev_spearman: sts.spearman['tf-idf'],
            fill_in_accuracy_ordinary_english: sts.fillIn,
            exact_match_ordinary_english: sts.exactMatch,
          }
        : {}),
      bow_retrieval_at_10: retrieval.bow,
      ...(cli ? { cli_retrieval_at_10: cli.recall10, cli_retrieval_at_1: cli.recall1 } : {}),
      // The default part as the CLI encodes it, against the network-only reference, same run.
      encode_default_part_sentences_per_s: defaultPerS,
      encode_default_part_speed_ratio: defaultPerS / networkPerS,
      encode_sentences_per_s: encodePerS,
      encode_network_only_sentences_per_s: networkPerS,
      // Speed with the meaning code over speed without it, measured interleaved.
      encode_meaning_speed_ratio: encodePerS / networkPerS,
      pretrained_sentences_per_s: pretrainedPerS,
      pipeline_sentences_per_s: pipelinePerS,
      // Time SentenceEncoder adds over the raw pipeline (negative: it is faster).
      pretrained_overhead: pipelinePerS / pretrainedPerS - 1,
      details: {
        quick: ctx.quick,
        backend: engine.backend,
        model: modelDir,
        parameters,
        reconstruction_sentences: rec.count,
        fill_in_sentences: fillSet.length,
        fill_in_gaps: fill.gaps,
        fill_in_gap_rate: 0.1,
        fill_in_sentence_accuracy: fill.sentenceAccuracy,
        retrieval_candidates: n,
        retrieval_code_part: codePart,
        retrieval_at_1: r1.codes,
        retrieval_at_10_global_part: retrieval.global,
        retrieval_at_1_global_part: r1.global,
        retrieval_at_10_full_code: retrieval.full,
        retrieval_at_1_full_code: r1.full,
        bow_retrieval_at_1: r1.bow,
        training,
      },
    };
  },
};

/**
 * Gloss -> example retrieval with codes from `latentkit encode text` (the built CLI as a child
 * process, its default part), scored like the library's; also the largest difference between
 * the CLI's pair cosines and the library's (`librarySims`). Undefined when the CLI is not built.
 */
async function cliRetrieval(modelDir: string | undefined, queries: string[], candidates: string[], librarySims: Float32Array) {
  const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
  if (!existsSync(bin)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'lk-bench-text-'));
  try {
    await writeFile(join(dir, 'sentences.txt'), [...queries, ...candidates].join('\n') + '\n');
    const t0 = performance.now();
    const args = [bin, 'encode', 'text', '--quiet', '--in', join(dir, 'sentences.txt'), '--out', join(dir, 'codes.npy'), ...(modelDir ? ['--model', modelDir] : [])];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`latentkit encode text failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    const seconds = (performance.now() - t0) / 1000;
    const codes = decodeNpy(new Uint8Array(await readFile(join(dir, 'codes.npy'))), 'codes.npy');
    const [rows, cols] = codes.shape;
    const n = queries.length;
    if (rows !== 2 * n || !(codes.data instanceof Float32Array)) throw new Error(`latentkit encode text wrote [${codes.shape.join(', ')}] ${codes.dtype}; expected float32 [${2 * n}, d].`);
    const data = codes.data;
    const row = (i: number) => data.subarray(i * cols, (i + 1) * cols);
    const sims = cosineMatrix(Array.from({ length: n }, (_, i) => row(i)), Array.from({ length: n }, (_, i) => row(n + i)));
    let maxCosineDifference = 0;
    for (let i = 0; i < sims.length; i++) maxCosineDifference = Math.max(maxCosineDifference, Math.abs(sims[i] - librarySims[i]));
    return { recall10: recallAtK((i, j) => sims[i * n + j], n, 10), recall1: recallAtK((i, j) => sims[i * n + j], n, 1), maxCosineDifference, seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * STS-B dev figures: Spearman of the cosine of each code part (and of the whole decoder code)
 * against the gold scores, tf-idf's with idf from the WordNet training documents, and fill-in
 * and exact match on its short sentences. Undefined when the data folder lacks the split.
 */
async function stsFigures(model: SentenceAutoencoder, synsets: Awaited<ReturnType<typeof readWordNet>>, dataDir: string, quick: boolean) {
  const file = join(dataDir, 'stsb-dev', 'sts-dev.csv');
  if (!existsSync(file)) return undefined;
  const pairs = await readSts(file);
  const gold = pairs.map((p) => p.score);
  const a = await model.encode(pairs.map((p) => p.sentence1));
  const b = await model.encode(pairs.map((p) => p.sentence2));
  const result: Record<string, number> = {};
  for (const name of Object.keys(a[0].parts ?? {})) {
    if (name === 'local') continue; // spelling slot by slot: not a sentence-level code
    result[name] = spearman(pairCosines(a.map((l) => l.parts![name].data), b.map((l) => l.parts![name].data)), gold);
  }
  result.whole = spearman(pairCosines(a.map((l) => l.data), b.map((l) => l.data)), gold);
  result['tf-idf'] = spearman(tfidfPairCosines(pairs.map((p) => p.sentence1), pairs.map((p) => p.sentence2), wordnetDocuments(synsets, 'train')), gold);
  const short = [...new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2]))].filter((t) => !model.isTruncated(t));
  const set = spread(short, quick ? 500 : short.length);
  const rec = await evaluateReconstruction(model, set);
  const fill = await evaluateFillIn(model, set, 0.1, 7);
  return { pairs: pairs.length, spearman: result, sentences: set.length, exactMatch: rec.exactMatch, fillIn: fill.accuracy };
}

export default suite;
