/**
 * @file Whole-word decisions for `fillIn`: the gapped words of one window decoded together
 * under a word prior, as a speech recogniser or an OCR engine decodes a line. Each gapped word
 * may be any lexicon word that agrees with its known letters, or the model's letter-by-letter
 * guess (a word the lexicon lacks); its score is the decoder's log-probability of the letters
 * it puts in the gaps (the channel) plus the prior's. With a {@link WordNgram} the prior of a
 * word depends on the word before it, so neighbouring words decide together (`the c_t sat`:
 * `p(sat | cat)` beats `p(sat | cut)`); the forward-backward algorithm over the window's words
 * gives each choice its posterior, which `fillIn` uses to fill the surest gaps first.
 */
import { wordSpans, type Lexicon } from './lexicon.js';
import { GAP_MARKER } from './vocabulary.js';
import { SENTENCE_END, SENTENCE_START, type WordNgram } from './word-ngram.js';

/** The word prior and its settings (resolved from {@link FillInOptions}). */
export interface WordPrior {
  lexicon: Lexicon;
  ngram?: WordNgram;
  /** Multiplies the prior's log-probabilities. */
  weight: number;
  /** Log prior of a word the lexicon lacks. */
  unknownPrior: number;
  /** Candidates kept per gapped word (by channel + unigram score) before decoding in context. */
  candidates: number;
}

/** Per-gap channel scores of one window. */
export interface LetterScores {
  /** log p of the surest character at a position. */
  best(j: number): number;
  /** log p of a letter at a position in either case, and the case to write it in. */
  letter(j: number, lower: string): { lp: number; char: string };
}

interface Candidate {
  /** Lower-case word for the prior; undefined for the letter-by-letter guess. */
  key?: string;
  /** Code points to write (undefined: keep what is there or the letter guess). */
  word?: string[];
  /** Channel log-probability of the gap letters. */
  emit: number;
}

/** Characters that end a sentence: the next word is conditioned on the sentence start. */
const SENTENCE_BREAK = /[.!?]/u;

function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/**
 * Decides the gapped words of one window (see the file comment).
 * @param window - the window's code points, gaps as {@link GAP_MARKER}.
 * @param scores - the model's per-position letter scores.
 * @param prior - lexicon, optional n-gram and settings.
 * @param cut - whether the window starts / ends inside the text (a word cut by the edge is left to the letters).
 * @returns gap index -> chosen character and the posterior of its word.
 */
export function decideWords(
  window: readonly string[],
  scores: LetterScores,
  prior: WordPrior,
  cut: { start: boolean; end: boolean },
): Map<number, { char: string; confidence: number }> {
  const out = new Map<number, { char: string; confidence: number }>();
  const { lexicon, ngram } = prior;
  const logTotal = Math.log(lexicon.total);
  const unigram = (key: string): number => {
    const n = lexicon.counts.get(key);
    return n === undefined ? prior.unknownPrior : Math.log(n) - logTotal;
  };
  const logPrior = (context: readonly (string | undefined)[], key: string | undefined): number => {
    if (key === undefined) return prior.unknownPrior;
    return ngram?.logProb(context, key) ?? unigram(key);
  };
  const spans = wordSpans(window);
  const nodes: { start: number; candidates: Candidate[]; decide: boolean; breakBefore: boolean }[] = [];
  let end = cut.start ? -1 : 0;
  for (const span of spans) {
    // A sentence boundary before this word: the window's start (when it is the text's) or a full stop between.
    const between = window.slice(Math.max(0, end), span.start).join('');
    const breakBefore = (end === 0 && nodes.length === 0 && !cut.start) || SENTENCE_BREAK.test(between);
    end = span.start + span.chars.length;
    const gaps = span.chars.flatMap((ch, k) => (ch === GAP_MARKER ? [k] : []));
    if (gaps.length === 0) {
      nodes.push({ start: span.start, candidates: [{ key: span.chars.join('').toLowerCase(), emit: 0 }], decide: false, breakBefore });
      continue;
    }
    const atEdge = (cut.start && span.start === 0) || (cut.end && end === window.length);
    const matches = atEdge ? [] : lexicon.matching(span.chars);
    let guess = 0;
    for (const k of gaps) guess += scores.best(span.start + k);
    const candidates: Candidate[] = [{ emit: guess }];
    const scored = matches.map(([word]) => {
      let emit = 0;
      for (const k of gaps) emit += scores.letter(span.start + k, word[k]).lp;
      return { key: word.join(''), word, emit, rank: emit + prior.weight * unigram(word.join('')) };
    });
    scored.sort((a, b) => b.rank - a.rank);
    for (const c of scored.slice(0, prior.candidates)) candidates.push(c);
    nodes.push({ start: span.start, candidates, decide: candidates.length > 1, breakBefore });
  }
  if (!nodes.some((n) => n.decide)) return out;
  // The sentence end after the last word, when the window holds the text's end or a full stop follows.
  const tail = window.slice(end).join('');
  const endsSentence = !cut.end || SENTENCE_BREAK.test(tail);

  // The words before node i's word, given the candidates a (node i - 2) and b (node i - 1):
  // a sentence start cuts the history, and so does the window's cut start.
  const n = nodes.length;
  const context = (i: number, a: Candidate, b: Candidate): (string | undefined)[] => {
    if (i < n && nodes[i].breakBefore) return [SENTENCE_START];
    if (i === 0) return [];
    if (nodes[i - 1].breakBefore) return [SENTENCE_START, b.key];
    return i === 1 ? [undefined, b.key] : [a.key, b.key];
  };
  // Forward-backward over states (candidate of node i - 1, candidate of node i), which a
  // trigram prior needs; before the first node stands one empty candidate.
  const none: Candidate[] = [{ emit: 0 }];
  const cands = (i: number) => (i < 0 ? none : nodes[i].candidates);
  const trans = (i: number, a: Candidate, b: Candidate, c: Candidate) => prior.weight * logPrior(context(i, a, b), c.key);
  // alpha[i][b][c]: log score of everything up to node i with node i - 1 = b and node i = c.
  const alpha: number[][][] = [];
  for (let i = 0; i < n; i++) {
    const A = cands(i - 2);
    const B = cands(i - 1);
    alpha.push(
      B.map((b, kb) =>
        cands(i).map((c) => c.emit + logSumExp(A.map((a, ka) => (i === 0 ? 0 : alpha[i - 1][ka][kb]) + trans(i, a, b, c)))),
      ),
    );
  }
  const closing = (b: Candidate, c: Candidate): number =>
    endsSentence && c.key !== undefined ? prior.weight * (ngram?.logProb(context(n, b, c), SENTENCE_END) ?? 0) : 0;
  const beta: number[][][] = new Array<number[][]>(n);
  beta[n - 1] = cands(n - 2).map((b) => cands(n - 1).map((c) => closing(b, c)));
  for (let i = n - 2; i >= 0; i--) {
    const C = cands(i + 1);
    beta[i] = cands(i - 1).map((a) => cands(i).map((b, kb) => logSumExp(C.map((c, kc) => trans(i + 1, a, b, c) + c.emit + beta[i + 1][kb][kc]))));
  }
  const z = logSumExp(alpha[n - 1].flatMap((row, kb) => row.map((x, kc) => x + beta[n - 1][kb][kc])));
  nodes.forEach((node, i) => {
    if (!node.decide) return;
    const post = node.candidates.map((_, kc) => logSumExp(alpha[i].map((row, kb) => row[kc] + beta[i][kb][kc])) - z);
    let top = 0;
    for (let k = 1; k < post.length; k++) if (post[k] > post[top]) top = k;
    const choice = node.candidates[top];
    if (!choice.word) return; // the letter guess won: keep the letter-by-letter characters
    const confidence = Math.exp(post[top]);
    choice.word.forEach((ch, k) => {
      const j = node.start + k;
      if (window[j] === GAP_MARKER) out.set(j, { char: scores.letter(j, ch).char, confidence });
    });
  });
  return out;
}
