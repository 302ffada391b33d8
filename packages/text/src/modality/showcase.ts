/**
 * @file The text part of `latentkit demo`: the shipped sentence autoencoder (or a short fit
 * when it is missing) and the tiny pretrained encoder; reconstructions, fill-in, similarity
 * tables and PCA scatter plots. It also encodes sentences about the classes earlier parts
 * labelled their codes with (digits; vowel sequences of the synthetic speech), so the
 * cross-modal comparison can pair them.
 */
import { DIGIT_WORDS, toMatrix, type LabelledCodes, type Matrix, type ModalityShowcase, type ShowcaseContext, type ShowcaseItem, type ShowcaseResult } from '@latentkit/core';
import { cosineMatrix } from '../models/evaluate.js';
import { defaultSentenceAutoencoderPath, SentenceAutoencoder } from '../models/sentence-autoencoder.js';
import { SentenceEncoder } from '../pretrained/sentence-encoder.js';
import { tinySentenceEncoderPath } from '../pretrained/tiny-sentence-encoder.js';

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

/** Sentences about each class: `perClass` per class, label = class index. */
function sentences(classes: readonly string[], perClass: number, phrase: (name: string, i: number) => string): { texts: string[]; labels: number[] } {
  const texts: string[] = [];
  const labels: number[] = [];
  classes.forEach((name, c) => {
    for (let i = 0; i < perClass; i++) {
      texts.push(phrase(name, i));
      labels.push(c);
    }
  });
  return { texts, labels };
}

/** The vowel sequences an earlier part's codes say (`a-i-u`, ...), if any. */
function vowelClasses(earlier: readonly LabelledCodes[]): string[] {
  const said = earlier.find((c) => c.concept === 'vowel sequence');
  if (!said) return [];
  return said.classNames.slice(0, Math.max(...said.labels) + 1);
}

const SHOWCASE = ['the cat sat on the mat', 'a small dog runs in the park', 'she plays the piano at night', 'seven apples on the table', 'the weather is cold today', 'he reads a book about ships'];
const GAPPED = ['the c_t sat on the m_t', 'a sm_ll d_g runs in the p_rk', 'she pl_ys the pi_no at n_ght'];

async function run(ctx: ShowcaseContext): Promise<ShowcaseResult> {
  const perClass = Math.max(ctx.perClass, 2);
  const digits = sentences(DIGIT_WORDS, perClass, (w, i) => DIGIT_TEMPLATES[i % DIGIT_TEMPLATES.length](w));
  const vowelNames = vowelClasses(ctx.earlier);
  const vowels = sentences(vowelNames, perClass, (s, i) => VOWEL_TEMPLATES[i % VOWEL_TEMPLATES.length](s.split('-')));
  const [fitSeconds, fitEpochs] = ctx.quick ? [4, 1] : [25, 30];

  const { ae, folder, note } = await ctx.stage('text: sentence autoencoder', fitSeconds + 5, async () => {
    try {
      const ae = await SentenceAutoencoder.loadDefault();
      return { ae, folder: defaultSentenceAutoencoderPath() as string | undefined, note: 'the sentence autoencoder shipped with @latentkit/text (trained on WordNet glosses and examples)' };
    } catch (e) {
      ctx.log(`  the shipped sentence autoencoder could not be loaded (${e instanceof Error ? e.message : String(e)}); fitting a small one instead`);
      const fresh = SentenceAutoencoder.create({ maxLength: 48, seed: ctx.seed });
      const h = await fresh.fit([...SHOWCASE, ...digits.texts, ...vowels.texts], ctx.fit('text sentence-ae', { epochs: fitEpochs, batchSize: 32, seed: ctx.seed, learningRate: 2e-3, timeLimitMs: fitSeconds * 1000 }));
      return { ae: fresh, folder: undefined, note: `a small sentence autoencoder fitted here on the demo sentences (${h.epochs.length} epochs, ${h.seconds.toFixed(1)} s), because the shipped model was missing` };
    }
  });
  try {
    const encoder = await ctx.stage('text: tiny pretrained encoder', 5, () => SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true }));
    try {
      return await ctx.stage('text: codes and figures', 10, async () => {
        const encodeBoth = async (texts: string[]): Promise<[Matrix, Matrix]> => [toMatrix(await ae.encode(texts)), toMatrix(await encoder.encode(texts))];
        const [aeDigits, tinyDigits] = await encodeBoth(digits.texts);
        const [aeVowels, tinyVowels] = vowels.texts.length ? await encodeBoth(vowels.texts) : [undefined, undefined];
        const recon = await ae.reconstruct(SHOWCASE);
        const filled = await ae.fillIn(GAPPED);
        const [aeShow, tinyShow] = [await ae.encode(SHOWCASE), await encoder.encode(SHOWCASE)];
        const digitWords = digits.labels.map((l) => DIGIT_WORDS[l]);
        const s1 = await ctx.plotCodes('text/ae-scatter', aeDigits, digitWords, 'sentence-AE codes, digit sentences');
        const s2 = await ctx.plotCodes('text/tiny-scatter', tinyDigits, digitWords, 'tiny-encoder codes, digit sentences');
        const simTable = (codes: { data: Float32Array }[], caption: string): ShowcaseItem => {
          const sim = cosineMatrix(codes.map((c) => c.data), codes.map((c) => c.data));
          const n = codes.length;
          return {
            type: 'table',
            className: 'matrix',
            caption,
            header: ['', ...SHOWCASE.map((_, i) => String(i + 1))],
            rows: codes.map((_, i) => [`${i + 1}. ${SHOWCASE[i]}`, ...Array.from(sim.subarray(i * n, (i + 1) * n))]),
          };
        };
        const codes: LabelledCodes[] = [];
        // The sentence AE's codes decode (the shipped folder as it is, or the one fitted here); the tiny encoder has no decoder.
        const aeFolder = folder ?? (await ctx.saveModel('text-sentence-ae', ae));
        for (const [name, d, v, model] of [['text (sentence AE)', aeDigits, aeVowels, aeFolder], ['text (tiny encoder)', tinyDigits, tinyVowels, undefined]] as const) {
          const decodes = model === undefined ? {} : { model };
          codes.push({ name, codes: d, labels: digits.labels, classNames: [...DIGIT_WORDS], concept: 'digit', items: 'digit sentences', ...decodes });
          if (v) codes.push({ name, codes: v, labels: vowels.labels, classNames: vowelNames, concept: 'vowel sequence', items: 'vowel-sequence texts', ...decodes });
        }
        return {
          section: {
            id: 'text',
            title: 'Text',
            items: [
              { type: 'text', text: `Sentence autoencoder: ${note}. Pretrained encoder: the tiny BERT-style model committed with @latentkit/text (a test fixture with random weights, not a trained language model: its similarities show the mechanics, not meaning).` },
              { type: 'table', caption: 'Sentence autoencoder: reconstructions (text → code → text)', header: ['input', 'reconstruction'], rows: SHOWCASE.map((s, i) => [s, recon[i]]) },
              { type: 'table', caption: 'Sentence autoencoder: fill in the gaps (_)', header: ['with gaps', 'filled in'], rows: GAPPED.map((g, i) => [g, filled[i]]) },
              simTable(aeShow, 'Cosine similarity of sentence-AE codes'),
              simTable(tinyShow, 'Cosine similarity of tiny-encoder codes'),
              { type: 'image', src: s1.src, caption: `Sentence-AE codes of ${digits.texts.length} sentences about digits (PCA), coloured by the digit word they contain.` },
              { type: 'image', src: s2.src, caption: 'Tiny-encoder codes of the same sentences.' },
            ],
          },
          codes,
        };
      });
    } finally {
      await encoder.dispose();
    }
  } finally {
    ae.dispose();
  }
}

/** The text part of `latentkit demo`. */
export const textShowcase: ModalityShowcase = { describe: 'the shipped sentence autoencoder and the tiny pretrained encoder', run };
