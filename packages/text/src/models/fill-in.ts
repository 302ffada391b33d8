/**
 * @file Filling gaps (`_`) in text with a sentence autoencoder: the decoder's and the context
 * head's log-probabilities per character, and, with a lexicon, whole gapped words scored
 * against the lexicon's words (lexicon-constrained decoding, as in OCR and speech recognition:
 * the decoder is the channel model, a word n-gram model or word frequencies the prior; see
 * fill-in-words.ts). Rounds fill the surest gaps first so later gaps see their neighbours.
 */
import { EmptyInputError, InvalidArgumentError, initEngine, tf } from '@latentkit/core';
import type { Lexicon } from './lexicon.js';
import { decideWords } from './fill-in-words.js';
import type { WordNgram } from './word-ngram.js';
import { GAP_MARKER, SPECIAL_COUNT, type CharVocabulary } from './vocabulary.js';

/** Options of {@link SentenceAutoencoder.fillIn}. */
export interface FillInOptions {
  /** Windows per forward pass. @default 256 */
  batchSize?: number;
  /**
   * Rounds of filling: each round fills the gaps the model is surest of (an equal share of
   * those left per round) and reads the text again, so later gaps see their neighbours filled.
   * @default 3
   */
  passes?: number;
  /**
   * How much the context head (network `hole`, when the model has one) adds to the decoder's
   * log-probabilities: `log p = log p_decoder + holeMix * log p_context`. 0 uses the decoder alone.
   * @default 1
   */
  holeMix?: number;
  /**
   * Weight of the word prior when the model has a lexicon (see {@link SentenceAutoencoder.lexicon}):
   * a gapped word is scored as a whole, `sum over its gaps of log p(letter) + lexiconWeight *
   * log p(word | the words before)`, against every lexicon word that agrees with its known
   * letters (with word n-grams, see `wordContext`; else `log p(word)`). 0 fills letter by
   * letter. 2 was best of 1-2.5 on held-out WordNet sentences of 9+ words. @default 2
   */
  lexiconWeight?: number;
  /**
   * Log prior of a word the lexicon lacks (the letter-by-letter guess competes with the
   * lexicon words at this prior). A word seen once in 1.3 million has a log prior of -14. @default -24
   */
  unknownWordLogPrior?: number;
  /**
   * With a model that has word bigrams ({@link SentenceAutoencoder.wordNgram}), score each
   * gapped word given the words beside it, deciding neighbouring gapped words together; false
   * scores each word by its usage frequency alone. @default true
   */
  wordContext?: boolean;
}

/** Lexicon words kept per gapped word (best channel + unigram scores) before deciding in context. */
const WORD_CANDIDATES = 24;

/** What filling gaps needs of a model (the sentence autoencoder provides it). */
export interface FillInModel {
  readonly config: { maxLength: number; vocabularySize: number };
  readonly vocabulary: CharVocabulary;
  readonly lexicon: Lexicon | undefined;
  /** Word bigrams for the prior of a gapped word given its neighbours, or undefined. */
  readonly wordNgram: WordNgram | undefined;
  /** Decoder logits `[n, maxLength, vocabulary]` of the code of ids `[n, maxLength]`. */
  decoderLogits(x: tf.Tensor): tf.Tensor;
  /** Context-head logits of the same shape, or undefined without a head. */
  contextLogits(x: tf.Tensor): tf.Tensor | undefined;
}

/** See {@link SentenceAutoencoder.fillIn}. */
export async function fillInTexts(model: FillInModel, texts: readonly string[], options: FillInOptions = {}): Promise<string[]> {
  await initEngine();
  const L = model.config.maxLength;
  const cps = texts.map((t, i) => {
    if (typeof t !== 'string') throw new InvalidArgumentError(`Text ${i} must be a string, got ${t === null ? 'null' : typeof t}.`);
    if (t.trim().length === 0) throw new EmptyInputError(`Text ${i} is ${t.length === 0 ? 'empty' : 'whitespace only'}; nothing to fill in.`);
    return [...t];
  });
  // Windows that hold at least one gap, as [text index, start].
  const windows: [number, number][] = [];
  cps.forEach((c, i) => {
    for (let s = 0; s < c.length; s += L) if (c.slice(s, s + L).includes(GAP_MARKER)) windows.push([i, s]);
  });
  const bs = options.batchSize ?? 256;
  const passes = options.passes ?? 3;
  if (!Number.isInteger(passes) || passes < 1 || passes > 16) throw new InvalidArgumentError(`passes must be an integer in [1, 16], got ${passes}.`);
  const V = model.config.vocabularySize;
  const C = V - SPECIAL_COUNT;
  const holeMix = options.holeMix ?? 1;
  if (!(holeMix >= 0)) throw new InvalidArgumentError(`holeMix must be >= 0, got ${holeMix}.`);
  const lexiconWeight = options.lexiconWeight ?? 2;
  if (!(lexiconWeight >= 0)) throw new InvalidArgumentError(`lexiconWeight must be >= 0, got ${lexiconWeight}.`);
  const unknownPrior = options.unknownWordLogPrior ?? -24;
  if (!Number.isFinite(unknownPrior)) throw new InvalidArgumentError(`unknownWordLogPrior must be finite, got ${unknownPrior}.`);
  const lexicon = lexiconWeight > 0 ? model.lexicon : undefined;
  const ngram = (options.wordContext ?? true) ? model.wordNgram : undefined;
  for (let w = 0; w < windows.length; w += bs) {
    const chunk = windows.slice(w, w + bs);
    for (let pass = 0; pass < passes; pass++) {
      const ids = new Int32Array(chunk.length * L);
      chunk.forEach(([i, s], k) => cps[i].slice(s, s + L).forEach((ch, j) => (ids[k * L + j] = model.vocabulary.idOf(ch))));
      const logProbs = tf.tidy(() => {
        const x = tf.tensor2d(ids, [chunk.length, L], 'int32');
        let logits = tf.logSoftmax(model.decoderLogits(x));
        const context = holeMix > 0 ? model.contextLogits(x) : undefined;
        if (context) logits = tf.add(logits, tf.mul(tf.logSoftmax(context), holeMix));
        // A gap holds a character: never answer with padding, unknown or gap.
        return tf.logSoftmax(tf.slice(logits, [0, 0, SPECIAL_COUNT], [-1, -1, C]));
      });
      const lp = (await logProbs.data()) as Float32Array;
      logProbs.dispose();
      chunk.forEach(([i, s], k) => {
        const window = cps[i].slice(s, s + L);
        const choice = fillChoices(model, window, lp.subarray(k * L * C, (k + 1) * L * C), {
          lexicon,
          ngram,
          lexiconWeight,
          unknownPrior,
          // A word cut by the window's edge is not a whole word: leave it to the letters.
          cutStart: s > 0,
          cutEnd: s + L < cps[i].length,
        });
        const gaps = [...choice.keys()];
        // This round fills an equal share of the gaps left; the last round fills them all.
        const take = Math.ceil(gaps.length / (passes - pass));
        gaps.sort((a, b) => choice.get(b)!.confidence - choice.get(a)!.confidence);
        for (const j of gaps.slice(0, take)) cps[i][s + j] = choice.get(j)!.char;
      });
    }
  }
  return cps.map((c) => c.join(''));
}

/**
 * The character and the confidence for every gap of one window, from the model's
 * log-probabilities over characters (`[L, C]`, specials left out). With a lexicon, each gapped
 * word is decided as a whole among the lexicon's matching words and the letter-by-letter
 * guess; its confidence is that choice's posterior. Letters keep the case the model prefers.
 */
function fillChoices(
  model: FillInModel,
  window: readonly string[],
  lp: Float32Array,
  o: { lexicon?: Lexicon; ngram?: WordNgram; lexiconWeight: number; unknownPrior: number; cutStart: boolean; cutEnd: boolean },
): Map<number, { char: string; confidence: number }> {
  const C = model.config.vocabularySize - SPECIAL_COUNT;
  const out = new Map<number, { char: string; confidence: number }>();
  const best = (j: number): [number, number] => {
    let arg = 0;
    for (let c = 1; c < C; c++) if (lp[j * C + c] > lp[j * C + arg]) arg = c;
    return [arg, lp[j * C + arg]];
  };
  // Letter by letter: the surest character and its probability.
  window.forEach((ch, j) => {
    if (ch !== GAP_MARKER) return;
    const [arg, l] = best(j);
    out.set(j, { char: model.vocabulary.charOf(arg + SPECIAL_COUNT), confidence: Math.exp(l) });
  });
  if (!o.lexicon) return out;
  // log p of a letter in either case; the case written is the likelier one.
  const letter = (j: number, lower: string): { lp: number; char: string } => {
    const upper = lower.toUpperCase();
    const a = model.vocabulary.idOf(lower) - SPECIAL_COUNT;
    const b = upper !== lower && [...upper].length === 1 ? model.vocabulary.idOf(upper) - SPECIAL_COUNT : -1;
    const la = a >= 0 ? lp[j * C + a] : -Infinity;
    const lb = b >= 0 ? lp[j * C + b] : -Infinity;
    const m = Math.max(la, lb);
    if (m === -Infinity) return { lp: -Infinity, char: lower };
    return { lp: m + Math.log(Math.exp(la - m) + Math.exp(lb - m)), char: lb > la ? upper : lower };
  };
  const words = decideWords(
    window,
    { best: (j) => best(j)[1], letter },
    { lexicon: o.lexicon, ngram: o.ngram, weight: o.lexiconWeight, unknownPrior: o.unknownPrior, candidates: WORD_CANDIDATES },
    { start: o.cutStart, end: o.cutEnd },
  );
  for (const [j, choice] of words) out.set(j, choice);
  return out;
}
