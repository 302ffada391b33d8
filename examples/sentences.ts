/**
 * @file Sentence similarity and fill-in: cosine-similarity matrices over a few sentences with
 * the sentence autoencoder shipped with @latentkit/text (its meaning part and its decoder's
 * code) and with the tiny pretrained encoder,
 * then gaps (`_`) filled in by the autoencoder.
 *
 * Run: npx tsx --conditions=source examples/sentences.ts ["your sentence" ...]
 * (The tiny encoder is a test fixture with random weights: its similarities show the
 * mechanics, not meaning. Pass --pretrained Xenova/all-MiniLM-L6-v2 with network access for a real one.)
 */
import { parseArgs } from 'node:util';
import { cosineMatrix, SentenceAutoencoder, SentenceEncoder, tinySentenceEncoderPath } from '@latentkit/text';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { pretrained: { type: 'string' } } });
const sentences = positionals.length
  ? positionals
  : ['a dog runs in the park', 'a puppy plays on the grass', 'the stock market fell today', 'shares dropped sharply this morning', 'she plays the piano'];
const gapped = ['a d_g runs in the p_rk', 'the st_ck market f_ll today', 'she pl_ys the pi_no'];

function printMatrix(title: string, codes: { data: Float32Array }[]): void {
  const sim = cosineMatrix(codes.map((c) => c.data), codes.map((c) => c.data));
  const n = codes.length;
  console.log(`\n${title}`);
  console.log(`${''.padEnd(36)}${sentences.map((_, j) => `  [${j + 1}]`).join('')}`);
  sentences.forEach((s, i) => {
    const row = Array.from(sim.subarray(i * n, (i + 1) * n), (v) => v.toFixed(2).padStart(5)).join(' ');
    console.log(`[${i + 1}] ${s.slice(0, 31).padEnd(32)} ${row}`);
  });
}

const ae = await SentenceAutoencoder.loadDefault();
const encoder = await SentenceEncoder.load(values.pretrained ?? tinySentenceEncoderPath());
try {
  // Sentences are compared by the code's `meaning` part (LSA word space); `data`, what the
  // decoder reads, mostly knows spelling.
  const codes = await ae.encode(sentences);
  printMatrix("cosine similarity, sentence autoencoder (shipped model), 'meaning' part:", codes.map((c) => c.parts?.meaning ?? c));
  printMatrix("the same, the decoder's code (spelling more than meaning):", codes);
  printMatrix(`cosine similarity, pretrained encoder (${values.pretrained ?? 'tiny fixture'}):`, await encoder.encode(sentences));

  console.log('\nreconstruction (text -> code -> text):');
  const recon = await ae.reconstruct(sentences);
  sentences.forEach((s, i) => console.log(`  ${s}\n    -> ${recon[i]}`));

  console.log('\nfill-in (the autoencoder restores each _):');
  const filled = await ae.fillIn(gapped);
  gapped.forEach((g, i) => console.log(`  ${g}\n    -> ${filled[i]}`));
} finally {
  ae.dispose();
  await encoder.dispose();
}
