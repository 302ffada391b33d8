/**
 * @file Demo, text: the shipped sentence autoencoder (or a short fit when it is missing) and
 * the tiny pretrained sentence encoder; reconstructions, fill-in, a similarity table and PCA
 * scatter plots of sentences about digits. It also encodes the sentences the cross-modal part
 * pairs with images (digit words) and speech (vowel sequences).
 */
import { toMatrix } from '@latentkit/core';
import { fitWithBudget } from '../lib/fit.js';
import { pcaScatter, type DemoContext, type LabelledCodes } from './context.js';
import type { ReportItem, ReportSection } from './report.js';

/** English words of the digits. */
export const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

const DIGIT_TEMPLATES = [
  (w: string) => w,
  (w: string) => `the number ${w}`,
  (w: string) => `I see ${w} birds`,
  (w: string) => `${w} is a number`,
  (w: string) => `we counted to ${w}`,
  (w: string) => `she wrote ${w} on the board`,
  (w: string) => `there are ${w} apples`,
  (w: string) => `the digit ${w}`,
  (w: string) => `press ${w} to continue`,
  (w: string) => `${w} cats sat on the mat`,
];

const VOWEL_TEMPLATES = [
  (v: string[]) => v.join('-'),
  (v: string[]) => v.join(' '),
  (v: string[]) => `the vowels ${v.join(', ')}`,
  (v: string[]) => `say ${v[0]} then ${v[1]} then ${v[2]}`,
  (v: string[]) => `sing ${v.join(' ')}`,
  (v: string[]) => `${v.join('')} ${v.join('')}`,
];

/** Sentences about each digit: `perClass` per digit, label = digit. */
export function digitSentences(perClass: number): { texts: string[]; labels: number[] } {
  const texts: string[] = [];
  const labels: number[] = [];
  DIGIT_NAMES.forEach((w, d) => {
    for (let i = 0; i < perClass; i++) {
      texts.push(DIGIT_TEMPLATES[i % DIGIT_TEMPLATES.length](w));
      labels.push(d);
    }
  });
  return { texts, labels };
}

/** Texts naming each vowel sequence (e.g. `a-i-u`), label = its index. */
export function vowelSentences(sequences: readonly string[], perClass: number): { texts: string[]; labels: number[] } {
  const texts: string[] = [];
  const labels: number[] = [];
  sequences.forEach((s, c) => {
    const v = s.split('-');
    for (let i = 0; i < perClass; i++) {
      texts.push(VOWEL_TEMPLATES[i % VOWEL_TEMPLATES.length](v));
      labels.push(c);
    }
  });
  return { texts, labels };
}

const SHOWCASE = ['the cat sat on the mat', 'a small dog runs in the park', 'she plays the piano at night', 'seven apples on the table', 'the weather is cold today', 'he reads a book about ships'];
const GAPPED = ['the c_t sat on the m_t', 'a sm_ll d_g runs in the p_rk', 'she pl_ys the pi_no at n_ght'];

/** What the text part hands to later parts. */
export interface TextPartResult {
  section: ReportSection;
  /** Codes of the digit sentences by each encoder. */
  digits: LabelledCodes[];
  /** Codes of the vowel-sequence texts by each encoder. */
  vowels: LabelledCodes[];
}

/**
 * Runs the text stages and writes `text/*.png`.
 * @param ctx the demo context.
 * @param vowelSequences the vowel sequences the speech part's classes say (for pairing).
 * @returns the report section and the codes for the cross-modal part.
 */
export async function runTextPart(ctx: DemoContext, vowelSequences: readonly string[]): Promise<TextPartResult> {
  const text = await import('@latentkit/text');
  const { plan, out } = ctx;
  const digits = digitSentences(Math.max(plan.perClass, 2));
  const vowels = vowelSentences(vowelSequences, Math.max(plan.perClass, 2));

  const { ae, note } = await ctx.stages.run('text: sentence autoencoder', plan.textFitSeconds + 5, async () => {
    try {
      const ae = await text.SentenceAutoencoder.loadDefault();
      return { ae, note: 'the sentence autoencoder shipped with @latentkit/text (trained on WordNet glosses and examples)' };
    } catch (e) {
      ctx.log(`  the shipped sentence autoencoder could not be loaded (${e instanceof Error ? e.message : String(e)}); fitting a small one instead`);
      const ae = text.SentenceAutoencoder.create({ maxLength: 48, seed: ctx.seed });
      const corpus = [...SHOWCASE, ...digits.texts, ...vowels.texts];
      const s = await fitWithBudget('text sentence-ae', ae, corpus, { epochs: plan.textFitEpochs, batchSize: 32, seed: ctx.seed, learningRate: 2e-3 }, {
        ...ctx.progress,
        budgetSeconds: plan.textFitSeconds,
      });
      return { ae, note: `a small sentence autoencoder fitted here on the demo sentences (${s.epochs} epochs, ${s.seconds.toFixed(1)} s), because the shipped model was missing` };
    }
  });
  try {
    const encoder = await ctx.stages.run('text: tiny pretrained encoder', 5, () => text.SentenceEncoder.load(text.tinySentenceEncoderPath(), { localOnly: true }));
    try {
      return await ctx.stages.run('text: codes and figures', 10, async () => {
        const aeName = 'text (sentence AE)';
        const tinyName = 'text (tiny encoder)';
        const [aeDigits, tinyDigits] = [toMatrix(await ae.encode(digits.texts)), toMatrix(await encoder.encode(digits.texts))];
        const [aeVowels, tinyVowels] = [toMatrix(await ae.encode(vowels.texts)), toMatrix(await encoder.encode(vowels.texts))];
        const recon = await ae.reconstruct(SHOWCASE);
        const filled = await ae.fillIn(GAPPED);
        const [aeShow, tinyShow] = [await ae.encode(SHOWCASE), await encoder.encode(SHOWCASE)];
        const digitWords = digits.labels.map((l) => DIGIT_NAMES[l]);
        const s1 = await pcaScatter(aeDigits, digitWords, 'sentence-AE codes, digit sentences');
        await out.write('text/ae-scatter.png', s1.png);
        const s2 = await pcaScatter(tinyDigits, digitWords, 'tiny-encoder codes, digit sentences');
        await out.write('text/tiny-scatter.png', s2.png);
        const short = SHOWCASE.map((s, i) => `${i + 1}. ${s}`);
        const simTable = (codes: { data: Float32Array }[], caption: string): ReportItem => {
          const sim = text.cosineMatrix(codes.map((c) => c.data), codes.map((c) => c.data));
          const n = codes.length;
          return {
            type: 'table',
            className: 'matrix',
            caption,
            header: ['', ...SHOWCASE.map((_, i) => String(i + 1))],
            rows: codes.map((_, i) => [short[i], ...Array.from(sim.subarray(i * n, (i + 1) * n))]),
          };
        };
        const section: ReportSection = {
          id: 'text',
          title: 'Text',
          items: [
            { type: 'text', text: `Sentence autoencoder: ${note}. Pretrained encoder: the tiny BERT-style model committed with @latentkit/text (a test fixture with random weights, not a trained language model: its similarities show the mechanics, not meaning).` },
            {
              type: 'table',
              caption: 'Sentence autoencoder: reconstructions (text → code → text)',
              header: ['input', 'reconstruction'],
              rows: SHOWCASE.map((s, i) => [s, recon[i]]),
            },
            { type: 'table', caption: 'Sentence autoencoder: fill in the gaps (_)', header: ['with gaps', 'filled in'], rows: GAPPED.map((g, i) => [g, filled[i]]) },
            simTable(aeShow, 'Cosine similarity of sentence-AE codes'),
            simTable(tinyShow, 'Cosine similarity of tiny-encoder codes'),
            { type: 'image', src: 'text/ae-scatter.png', caption: `Sentence-AE codes of ${digits.texts.length} sentences about digits (PCA), coloured by the digit word they contain.` },
            { type: 'image', src: 'text/tiny-scatter.png', caption: 'Tiny-encoder codes of the same sentences.' },
          ],
        };
        return {
          section,
          digits: [
            { name: aeName, codes: aeDigits, labels: digits.labels, classNames: [...DIGIT_NAMES], concept: 'digit' },
            { name: tinyName, codes: tinyDigits, labels: digits.labels, classNames: [...DIGIT_NAMES], concept: 'digit' },
          ],
          vowels: [
            { name: aeName, codes: aeVowels, labels: vowels.labels, classNames: [...vowelSequences], concept: 'vowel sequence' },
            { name: tinyName, codes: tinyVowels, labels: vowels.labels, classNames: [...vowelSequences], concept: 'vowel sequence' },
          ],
        };
      });
    } finally {
      await encoder.dispose();
    }
  } finally {
    ae.dispose();
  }
}
