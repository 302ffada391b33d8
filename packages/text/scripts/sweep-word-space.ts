/**
 * @file How the shipped word space's settings were chosen: one SVD of the WordNet training
 * synsets minus a validation slice (1 in 20 training synsets, by a hash of the definition),
 * then recall@10 of gloss -> example retrieval on up to 1,000 validation pairs for every
 * combination of dimensions (prefixes of that SVD), SIF `a`, vocabulary cap and storage bits.
 * The benchmark's held-out synsets are never touched.
 *
 *   npx tsx --conditions=source packages/text/scripts/sweep-word-space.ts [--dim 768] \
 *     [--dims 256,512,768] [--a 1e-4,1e-6] [--words 12500,0] [--bits 0,4]   (0 words: all; 0 bits: float32)
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { initEngine, truncatedSvd } from '@latentkit/core';
import { cosineMatrix, recallAtK, tfidfCosineMatrix, wordTokens } from '../src/models/evaluate.js';
import { fnv1a, readWordNet, wordnetDocuments, wordnetPairs } from '../src/datasets/wordnet.js';
import { quantizeRow, tfidfDocumentMatrix } from '../src/word-space/word-space.js';

const list = (s: string) => s.split(',').map(Number);
const argv = await yargs(hideBin(process.argv))
  .option('dim', { type: 'number', default: 768, describe: 'singular vectors computed (the largest dim swept)' })
  .option('dims', { type: 'string', default: '256,512,768' })
  .option('a', { type: 'string', default: '1e-3,1e-4,1e-5,1e-6' })
  .option('words', { type: 'string', default: '0,12500' })
  .option('bits', { type: 'string', default: '0,4' })
  .strict()
  .parse();
await initEngine();
const synsets = await readWordNet();
const isVal = (s: (typeof synsets)[number]) => s.split === 'train' && fnv1a(`val:${s.definition}`) % 20 === 0;
// Validation synsets act as the held-out side: their texts leave the documents, their pairs are scored.
const shifted = synsets.map((s) => (isVal(s) ? { ...s, split: 'heldout' as const } : s));
const docs = wordnetDocuments(shifted, 'train');
const all = wordnetPairs(synsets.filter(isVal).map((s) => ({ ...s, split: 'heldout' as const })), { split: 'heldout', maxChars: 64 });
const pairs = all.length <= 1000 ? all : Array.from({ length: 1000 }, (_, i) => all[Math.floor((i * all.length) / 1000)]);
const n = pairs.length;
const defs = pairs.map((p) => p.definition);
const exs = pairs.map((p) => p.example);
const recall = (sims: Float32Array) => recallAtK((i, j) => sims[i * n + j], n, 10);
console.log(`${docs.length} documents; ${n} validation pairs; tf-idf recall@10 ${recall(tfidfCosineMatrix(defs, exs)).toFixed(3)}`);

// The matrix WordSpace.fit factorises.
const { matrix, words: vocab, totalTokens: total } = tfidfDocumentMatrix(docs, 2);
const column = new Map(vocab.map(([w], i) => [w, i]));
const K = argv.dim;
const svd = truncatedSvd(matrix, K, { onProgress: (stage, s) => console.log(`  SVD ${stage} (${s.toFixed(0)} s)`) });
console.log(`${vocab.length} words; SVD of dim ${K} done`);

function embed(texts: string[], k: number, maxWords: number, a: number, bits: number): Float32Array[] {
  const rowsOf = new Map<number, Float32Array>();
  const vec = (i: number) => {
    let r = rowsOf.get(i);
    if (!r) {
      r = svd.right.slice(i * K, i * K + k);
      if (bits) {
        const codes = new Int8Array(k);
        const scale = quantizeRow(r, bits as 4 | 8, codes);
        r = Float32Array.from(codes, (c) => c * scale);
      }
      rowsOf.set(i, r);
    }
    return r;
  };
  return texts.map((t) => {
    const v = new Float32Array(k);
    for (const w of wordTokens(t)) {
      const i = column.get(w);
      if (i === undefined || i >= maxWords) continue;
      const weight = a / (a + vocab[i][1] / total);
      const r = vec(i);
      for (let j = 0; j < k; j++) v[j] += weight * r[j];
    }
    return v;
  });
}
for (const k of list(argv.dims).filter((d) => d <= K)) {
  for (const a of list(argv.a)) {
    for (const words of list(argv.words)) {
      for (const bits of list(argv.bits)) {
        const cap = words || Infinity;
        const r = recall(cosineMatrix(embed(defs, k, cap, a, bits), embed(exs, k, cap, a, bits)));
        const mb = (Math.min(cap, vocab.length) * (bits ? (k * bits) / 8 + 4 : 4 * k)) / 1e6;
        console.log(`dim ${k}  a ${a}  words ${words || 'all'}  ${bits ? `${bits}-bit` : 'float32'}: recall@10 ${r.toFixed(3)}  (table ${mb.toFixed(1)} MB)`);
      }
    }
  }
}
