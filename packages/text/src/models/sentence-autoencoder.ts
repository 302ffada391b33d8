/**
 * @file A trainable character-level sentence autoencoder: one fixed-size vector per sentence,
 * a decoder that writes the sentence back, and gap filling from a denoising objective.
 *
 * Why characters, not subwords: the vocabulary is ~100 symbols, so there is no out-of-vocabulary
 * word, no tokenizer to ship or train, and both exact-match reconstruction and filling in a
 * single missing character are natural at this granularity (a subword model would have to
 * restore a whole piece for one missing letter). The price is longer sequences, which is cheap
 * here because every layer is parallel over time.
 *
 * Why convolutions, not recurrence: on the wasm backend a GRU runs a few kernel calls per time
 * step (~150 sentences/s); 1-D convolutions and dense layers over `[batch * time, d]` run the
 * whole sequence in a handful of large kernels. Lengths are halved and doubled by reshapes
 * (neighbours side by side, and sub-pixel upsampling). The decoder is non-autoregressive: it
 * reads the code as a short sequence of slots plus position embeddings and writes
 * `[maxLength, vocabulary]` logits for all positions at once.
 *
 * The code is `[global | local]` (what the decoder reads), and with a {@link WordSpace} also a
 * `meaning` part beside it: LSA word vectors averaged over the sentence, which pair sentences
 * that mean alike in other words, something a character model's code does not learn from
 * spelling. `local` keeps a few values per slot of characters (weights
 * shared over positions, so it learns fast and carries exact spelling to unseen sentences);
 * `global` is max-pooled over the sentence (a learned bag of features) and reaches every slot
 * of the decoder as sentence context.
 *
 * Filling gaps needs knowing which letters fit between which neighbours. Hashed context
 * embeddings ({@link LkHoleHash}: the characters around each position, the position itself left
 * out) give the encoder that memory at almost no compute, and an auxiliary head (`hole`) trains
 * them from every position, not just the gapped few percent.
 *
 * What pulls codes of related sentences together: denoising (after TSDAE: the encoder often sees
 * the sentence with characters gapped and must still produce a code from which the clean
 * sentence decodes) and an in-batch contrastive loss on the global part for sentence pairs
 * (e.g. a WordNet gloss and an example of the same synset, or a sentence and itself corrupted
 * differently, as in SimCSE).
 */
import {
  InvalidArgumentError,
  ModelFormatError,
  TfAutoencoder,
  tf,
  makeLatent,
  wantsPart,
  BatchProgress,
  type BatchingOptions,
  type Dataset,
  type FitOptions,
  type Latent,
  type History,
  type LoadOptions,
  type LossOutput,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';
import { corruptBatch } from './noise.js';
import { registerTextLayers } from './layers.js';
import { checkSentenceNetworks } from './sentence-config-check.js';
import { CharVocabulary, defaultCharacters, normalizeSentence, SPECIAL_COUNT } from './vocabulary.js';
import { Lexicon } from './lexicon.js';
import { WordNgram } from './word-ngram.js';
import { WordSpace } from '../word-space/word-space.js';
import { MeaningSpace } from '../word-space/meaning-space.js';
import { resolveSentenceAutoencoderConfig, type SentenceAutoencoderConfig, type SentenceAutoencoderOptions, type SentenceSample } from './config.js';
import { buildNetworks, contextLogits } from './networks.js';
import { sentenceLoss } from './losses.js';
import { fillInTexts, type FillInOptions } from './fill-in.js';

// The config and fill-in types lived in this file before it was split; kept importable from here.
export { resolveSentenceAutoencoderConfig, DEFAULT_CONTEXT_HASHES } from './config.js';
export type { SentenceAutoencoderOptions, SentenceAutoencoderConfig, SentencePair, SentenceSample, ContextHashSpec, WordBagSpec } from './config.js';
export type { FillInOptions } from './fill-in.js';

const VOCAB_FILE = 'vocabulary.json';
const LEXICON_FILE = 'lexicon.json';
const WORD_SPACE_JSON = 'word-space.json';
const WORD_SPACE_BIN = 'word-space.bin';
const MEANING_FILE = 'meaning.json';
const NGRAM_JSON = 'word-ngram.json';
const NGRAM_BIN = 'word-ngram.bin';
/** Parts computed without the network (see `encode`). */
const MEANING_PARTS: ReadonlySet<string> = new Set(['meaning', 'vectors', 'lemmas', 'chars']);

/**
 * The folder of the default model shipped with this package (`models/sentence-ae`), trained
 * on WordNet glosses and examples by `scripts/train-sentence-ae.ts`.
 * @returns an absolute folder path, valid from `src/` and `dist/` alike.
 * @example
 * ```ts
 * const ae = await SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
 * ```
 */
export function defaultSentenceAutoencoderPath(): string {
  // This file sits in src/models/ and dist/models/ alike, two levels below the package root.
  const url = new URL('../../models/sentence-ae', import.meta.url);
  // A POSIX path in Node (what fileURLToPath gives there; node:url would keep this file out of
  // the browser entry); where a page serves the package unbundled, the folder's URL.
  return url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.href;
}

/**
 * Character-level sentence autoencoder (kind `text/sentence-ae`): `encode` gives one
 * `[latentDim]` vector per sentence, `decode` writes sentences back, `fillIn` restores
 * characters written as `_`.
 *
 * Input handling, the same in every method:
 * - text is normalised (NFC, whitespace runs to one space, trimmed) before encoding, so
 *   `reconstruct` returns the normalised form;
 * - empty or whitespace-only text throws {@link EmptyInputError} (naming its index);
 * - text longer than `maxLength` code points is cut to its first `maxLength` (see
 *   {@link SentenceAutoencoder.isTruncated}); `fillIn` instead works window by window;
 * - characters outside the vocabulary (non-Latin scripts, emoji) read as one unknown token
 *   each and decode as U+FFFD; `_` always reads as a gap.
 *
 * @example
 * ```ts
 * const ae = await SentenceAutoencoder.loadDefault();
 * const [code] = await ae.encode(['the cat sat on the mat']);   // code.shape = [256]
 * const [text] = await ae.decode([code]);                        // 'the cat sat on the mat'
 * const [filled] = await ae.fillIn(['the c_t sat on the m_t']); // 'the cat sat on the mat'
 * ```
 */
export class SentenceAutoencoder extends TfAutoencoder<string, string, SentenceAutoencoderConfig> {
  static readonly kind = 'text/sentence-ae';

  protected constructor(
    config: SentenceAutoencoderConfig,
    networks: Record<string, tf.LayersModel>,
    /** The characters the model reads and writes. */
    readonly vocabulary: CharVocabulary,
    private wordList?: Lexicon,
    private meaningSpace?: WordSpace | MeaningSpace,
    private bigrams?: WordNgram,
  ) {
    super(config, networks);
  }

  /**
   * The part of `encode`'s latents to compare sentences by (what `latentkit encode text` writes
   * by default): `meaning` when the model has a word space, else `global`, else undefined (the
   * whole code). The latent's `data` stays the decoder's code so that `decode` reads it.
   */
  get defaultPart(): 'meaning' | 'global' | undefined {
    if (this.meaningSpace) return 'meaning';
    return this.config.globalDim > 0 ? 'global' : undefined;
  }

  /** The word space behind the `meaning` part of codes (saved as `word-space.*`), or undefined. */
  get wordSpace(): WordSpace | undefined {
    return this.meaningSpace instanceof MeaningSpace ? this.meaningSpace.wordSpace : this.meaningSpace;
  }

  /** The meaning code (word vectors + lemma bag + character bag, saved as `meaning.json` beside the word space), or undefined. */
  get meaning(): MeaningSpace | undefined {
    return this.meaningSpace instanceof MeaningSpace ? this.meaningSpace : undefined;
  }

  /**
   * Attaches a {@link WordSpace} or a {@link MeaningSpace} (or removes it with `undefined`):
   * from then on `encode` adds a `meaning` part (and with a MeaningSpace its halves `vectors`
   * and `lemmas`). Saved with the model; the decoder never reads it.
   * @example
   * ```ts
   * ae.setWordSpace(WordSpace.fit(documents, { dim: 256 }));
   * ```
   */
  setWordSpace(space: WordSpace | MeaningSpace | undefined): void {
    this.meaningSpace = space;
  }

  /**
   * The words of the training text with their counts (saved as `lexicon.json`), or undefined.
   * The first `fit` on an array builds it from that array; `fillIn` uses it as a word prior.
   */
  get lexicon(): Lexicon | undefined {
    return this.wordList;
  }

  /**
   * Replaces the lexicon (e.g. built from a larger corpus than the model trained on), or removes
   * it with `undefined`. Saved with the model.
   * @example
   * ```ts
   * ae.setLexicon(Lexicon.fromTexts(mySentences));
   * ```
   */
  setLexicon(lexicon: Lexicon | undefined): void {
    this.wordList = lexicon;
  }

  /**
   * Word bigrams of ordinary text (saved as `word-ngram.json` + `.bin`), or undefined: with
   * them `fillIn` weighs each gapped word by the words beside it, not by its frequency alone.
   */
  get wordNgram(): WordNgram | undefined {
    return this.bigrams;
  }

  /**
   * Attaches word bigrams for `fillIn` (or removes them with `undefined`). Saved with the model.
   * @example
   * ```ts
   * ae.setWordNgram(WordNgram.fromSentences(tokenisedSentences));
   * ```
   */
  setWordNgram(ngram: WordNgram | undefined): void {
    this.bigrams = ngram;
  }

  /**
   * Builds an untrained model.
   * @throws {InvalidArgumentError} for invalid options.
   * @example
   * ```ts
   * const ae = SentenceAutoencoder.create({ maxLength: 32, latentDim: 64 });
   * await ae.fit(sentences, { epochs: 5 });
   * ```
   */
  static create(options: SentenceAutoencoderOptions = {}): SentenceAutoencoder {
    const vocabulary = new CharVocabulary(options.characters ?? defaultCharacters());
    const config = resolveSentenceAutoencoderConfig(options, vocabulary.size);
    return new SentenceAutoencoder(config, buildNetworks(config, vocabulary), vocabulary);
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @throws {ModelFormatError} for a malformed folder or vocabulary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SentenceAutoencoder> {
    registerTextLayers();
    return TfAutoencoder.loadFolder(
      dir,
      {
        kind: SentenceAutoencoder.kind,
        version: 1,
        networks: ['encoder', 'decoder'],
        validate: (c) => {
          const size = (c as { vocabularySize?: unknown }).vocabularySize;
          if (typeof size !== 'number' || !Number.isInteger(size) || size <= SPECIAL_COUNT || size > 1 << 20) {
            throw new InvalidArgumentError(`vocabularySize must be an integer in (${SPECIAL_COUNT}, ${1 << 20}], got ${JSON.stringify(size)}.`);
          }
          return resolveSentenceAutoencoderConfig(c as unknown as SentenceAutoencoderOptions, size);
        },
      },
      (config, networks, folder) => {
        checkSentenceNetworks(config, networks);
        const file = `${dir}/${VOCAB_FILE}`;
        const bytes = folder.extraFile(VOCAB_FILE);
        if (!bytes) throw new ModelFormatError(`${dir} has no ${VOCAB_FILE}; it was not saved by SentenceAutoencoder.`, { file });
        const vocabulary = CharVocabulary.fromJSON(bytes, file);
        if (vocabulary.size !== config.vocabularySize) {
          throw new ModelFormatError(`${file} holds ${vocabulary.size} symbols but the config says vocabularySize ${config.vocabularySize}.`, { file });
        }
        // Optional: models saved before lexicons existed fill in letter by letter.
        const lexBytes = folder.extraFile(LEXICON_FILE);
        const lexicon = lexBytes ? Lexicon.fromJSON(lexBytes, `${dir}/${LEXICON_FILE}`) : undefined;
        // Optional too: without it codes have no `meaning` part.
        const wsJson = folder.extraFile(WORD_SPACE_JSON);
        const wsBin = folder.extraFile(WORD_SPACE_BIN);
        if (!wsJson !== !wsBin) {
          throw new ModelFormatError(`${dir} has ${wsJson ? WORD_SPACE_JSON : WORD_SPACE_BIN} without ${wsJson ? WORD_SPACE_BIN : WORD_SPACE_JSON}; a word space needs both.`, { file: `${dir}/${WORD_SPACE_JSON}` });
        }
        const words = wsJson && wsBin ? WordSpace.fromFiles(wsJson, wsBin, `${dir}/${WORD_SPACE_JSON}`) : undefined;
        // Optional as well: folders saved before it existed have an LSA-only meaning part.
        const meaningBytes = folder.extraFile(MEANING_FILE);
        if (meaningBytes && !words) throw new ModelFormatError(`${dir} has ${MEANING_FILE} but no word space.`, { file: `${dir}/${MEANING_FILE}` });
        const space = meaningBytes && words ? MeaningSpace.fromJSON(meaningBytes, words, `${dir}/${MEANING_FILE}`) : words;
        // Optional: without it fill-in weighs words by frequency alone.
        const ngJson = folder.extraFile(NGRAM_JSON);
        const ngBin = folder.extraFile(NGRAM_BIN);
        if (!ngJson !== !ngBin) {
          throw new ModelFormatError(`${dir} has ${ngJson ? NGRAM_JSON : NGRAM_BIN} without ${ngJson ? NGRAM_BIN : NGRAM_JSON}; word bigrams need both.`, { file: `${dir}/${NGRAM_JSON}` });
        }
        const ngram = ngJson && ngBin ? WordNgram.fromFiles(ngJson, ngBin, `${dir}/${NGRAM_JSON}`) : undefined;
        return new SentenceAutoencoder(config, networks, vocabulary, lexicon, space, ngram);
      },
      options,
    );
  }

  /**
   * Loads the default model shipped with the package (trained on WordNet, no network needed).
   * @throws {ModelFormatError} when the shipped folder is damaged.
   */
  static loadDefault(): Promise<SentenceAutoencoder> {
    return SentenceAutoencoder.load(defaultSentenceAutoencoderPath());
  }

  get codeShape(): number[] {
    return [this.config.latentDim];
  }

  /**
   * Encodes sentences into one `[latentDim]` latent each, laid out `[global..., local...]`
   * and also given as parts: `global` (`[globalDim]`, the sentence as a whole), `local`
   * (`[slots, localDim / slots]`, the text slot by slot) and, when the model has a
   * word space, `meaning` (unit length; what to compare sentences by, see
   * {@link SentenceAutoencoder.defaultPart}); with a {@link MeaningSpace} also its halves
   * `vectors` (word vectors) and `lemmas` (lemma bag). `meaning` is not part of `data` (the
   * decoder does not read it) and reads the whole text, past `maxLength`. `options.parts`
   * limits the parts computed (`[]`: none); `onProgress` and `signal` as in core's encode.
   * When `options.parts` names only meaning parts (`meaning`, `vectors`, `lemmas`, `chars`) and the
   * model has them, the network does not run at all: each latent's `data` is then its
   * `meaning` code (shape `[meaning dim]`, not a code `decode` reads), with the parts as usual.
   * That is what `latentkit encode text` asks for by default, and several times faster.
   * @throws {EmptyInputError} for empty or whitespace-only text.
   * @throws {AbortError} when `options.signal` aborts.
   * @example
   * ```ts
   * const [code] = await ae.encode(['a domestic animal']);
   * code.parts!.global.shape;  // [64]
   * code.parts!.meaning.shape; // [6444] with the shipped model
   * ```
   */
  override async encode(inputs: string[], options: BatchingOptions = {}): Promise<Latent[]> {
    const space = this.meaningSpace;
    if (space && options.parts && options.parts.length > 0 && options.parts.every((p) => MEANING_PARTS.has(p))) return this.encodeMeaningOnly(space, inputs, options);
    const latents = await super.encode(inputs, options);
    const { globalDim: G, localDim, maxLength, channels, kind } = this.config;
    const slots = maxLength / 2 ** (channels.length - 1);
    // `vectors`, `lemmas` and `chars` are the parts of `meaning`: any of them needs the embedding.
    const wantMeaning = [...MEANING_PARTS].some((p) => wantsPart(options, p));
    const meaning = !wantMeaning ? undefined : space instanceof MeaningSpace ? space.embed(inputs) : space?.embed(inputs).map((v) => ({ meaning: v }));
    latents.forEach((l, i) => {
      const parts: Record<string, Latent> = {};
      if (G > 0 && (wantsPart(options, 'global') || wantsPart(options, 'local'))) {
        parts.global = makeLatent(l.data.slice(0, G), [G], 'text', kind);
        parts.local = makeLatent(l.data.slice(G), [slots, localDim / slots], 'text', kind);
      }
      const m = meaning?.[i];
      if (m) for (const [name, v] of Object.entries(m)) parts[name] = makeLatent(v, [v.length], 'text', kind);
      if (Object.keys(parts).length > 0) l.parts = parts;
    });
    return latents;
  }

  /**
   * {@link SentenceAutoencoder.encode} when only meaning parts are wanted: no network, no
   * tensors. Inputs are checked as the network path checks them (a blank one throws
   * EmptyInputError naming its index), batch by batch, with the same progress and abort.
   */
  private async encodeMeaningOnly(space: WordSpace | MeaningSpace, inputs: string[], options: BatchingOptions): Promise<Latent[]> {
    const { maxLength, kind } = this.config;
    const bs = options.batchSize ?? 256;
    const progress = new BatchProgress('Encoding', inputs.length, Math.ceil(inputs.length / bs), options);
    const out: Latent[] = [];
    for (let s = 0; s < inputs.length; s += bs) {
      // Lets timers and an abort signal in now and then on long runs (a batch takes ~10 ms).
      if (s > 0 && (s / bs) % 16 === 0) await new Promise((r) => setTimeout(r, 0));
      const chunk = inputs.slice(s, s + bs);
      chunk.forEach((t, i) => normalizeSentence(t, maxLength, s + i));
      // `meaning` alone (what the CLI asks for) skips the parts' own copies.
      const meaningOnly = options.parts?.length === 1 && options.parts[0] === 'meaning';
      const codes: Record<string, Float32Array>[] =
        space instanceof MeaningSpace ? (meaningOnly ? space.embedMeaning(chunk).map((v) => ({ meaning: v })) : space.embed(chunk).map((c) => ({ ...c }))) : space.embed(chunk).map((v) => ({ meaning: v }));
      for (const c of codes) {
        const parts: Record<string, Latent> = {};
        for (const [name, v] of Object.entries(c)) if (v) parts[name] = makeLatent(v, [v.length], 'text', kind);
        out.push(makeLatent(c.meaning, [c.meaning.length], 'text', kind, parts));
      }
      progress.done(chunk.length);
    }
    progress.end();
    return out;
  }

  protected override extraFiles(): Record<string, Uint8Array | string> {
    const files: Record<string, Uint8Array | string> = { [VOCAB_FILE]: JSON.stringify(this.vocabulary.toJSON()) };
    if (this.wordList) files[LEXICON_FILE] = JSON.stringify(this.wordList.toJSON());
    const words = this.wordSpace;
    if (words) {
      const { json, bin } = words.toFiles();
      files[WORD_SPACE_JSON] = json;
      files[WORD_SPACE_BIN] = bin;
    }
    if (this.meaning) files[MEANING_FILE] = JSON.stringify(this.meaning.toJSON());
    if (this.bigrams) {
      const { json, bin } = this.bigrams.toFiles();
      files[NGRAM_JSON] = json;
      files[NGRAM_BIN] = bin;
    }
    return files;
  }

  /** Whether `text` is longer than the model reads (so `encode` cuts it). */
  isTruncated(text: string): boolean {
    return normalizeSentence(text, this.config.maxLength).truncated;
  }

  private idsOf(texts: readonly string[]): tf.Tensor2D {
    const L = this.config.maxLength;
    const data = new Int32Array(texts.length * L);
    texts.forEach((t, i) => this.vocabulary.textToIds(t, L, data.subarray(i * L, (i + 1) * L)));
    return tf.tensor2d(data, [texts.length, L], 'int32');
  }

  /**
   * Sentences (or pairs) to tensors: `x` the (corrupted, when training) input ids, `target`
   * the clean ids, and for pairs `pairA`/`pairB`, the rows of each pair's two sentences.
   * @throws {EmptyInputError} for an empty or whitespace-only sentence.
   */
  collate(samples: readonly SentenceSample[], ctx?: StepContext): TensorBatch {
    const L = this.config.maxLength;
    const texts: string[] = [];
    const positives: string[] = [];
    const pairRows: number[] = [];
    samples.forEach((s, i) => {
      if (typeof s === 'string') {
        texts.push(normalizeSentence(s, L, i).text);
      } else if (s && typeof s === 'object' && typeof s.text === 'string' && typeof s.positive === 'string') {
        pairRows.push(texts.length);
        texts.push(normalizeSentence(s.text, L, i).text);
        positives.push(normalizeSentence(s.positive, L, i).text);
      } else {
        throw new InvalidArgumentError(`Sample ${i} must be a string or {text, positive}, got ${s === null ? 'null' : typeof s}.`);
      }
    });
    const clean = [...texts, ...positives];
    const inputs = ctx?.training && ctx ? corruptBatch(clean, this.config.noise, ctx.seed) : clean;
    const batch: TensorBatch = { x: this.idsOf(inputs), target: this.idsOf(clean) };
    // Contrast needs at least one other pair in the batch to contrast with.
    if (pairRows.length >= 2) {
      batch.pairA = tf.tensor1d(pairRows, 'int32');
      batch.pairB = tf.tensor1d(pairRows.map((_, k) => texts.length + k), 'int32');
    }
    return batch;
  }


  /** Cross-entropy of every position (end padding included) plus the contrastive term on pairs (see losses.ts). */
  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    const z = this.encodeBatch(batch, ctx.training);
    const logits = this.decodeCodes(z);
    // The encoder's own hash and embedding layers, run eagerly on the same (corrupted) input.
    const guess = this.config.holeWeight > 0 ? contextLogits(this.networks, this.config, batch.x) : undefined;
    return sentenceLoss(this.config, batch, z, logits, guess);
  }

  protected async toOutputs(decoded: tf.Tensor): Promise<string[]> {
    const ids = tf.argMax(decoded, -1);
    const data = (await ids.data()) as Int32Array;
    ids.dispose();
    const [n, L] = decoded.shape;
    return Array.from({ length: n }, (_, i) => this.vocabulary.idsToText(data.subarray(i * L, (i + 1) * L)));
  }

  /**
   * Trains in place (core's training loop). Samples are sentences, or {@link SentencePair}s
   * whose two sentences are also pulled together by the contrastive loss.
   * @returns per-epoch losses; metrics `recon`, `exact` (share of sentences the training step
   *   reconstructed exactly, from corrupted input) and `contrast`. Given an array and no
   *   lexicon yet, the words of its sentences become {@link SentenceAutoencoder.lexicon}.
   * @throws {EmptyInputError} when a sample is blank.
   */
  override fit(data: Dataset<SentenceSample> | readonly SentenceSample[], options: FitOptions<SentenceSample> = {}): Promise<History> {
    // Once: repeated or resumed fits on the same data must not count its words again.
    if (Array.isArray(data) && !this.wordList) {
      this.wordList = Lexicon.fromTexts((data as readonly SentenceSample[]).map((d) => (typeof d === 'string' ? d : d.text)));
    }
    // collate accepts pairs as well as strings; the base class only needs to hand samples through.
    return super.fit(data as Dataset<string>, options as FitOptions<string>);
  }

  /**
   * Restores gaps: every `_` in the input is replaced by the character the model finds most
   * likely there; every other character is kept as it is (no normalisation). Text longer than
   * `maxLength` is filled window by window.
   * @param texts strings with `_` where a character is missing.
   * @returns strings of the same length as the inputs.
   * @throws {EmptyInputError} for empty or whitespace-only text.
   * @example
   * ```ts
   * await ae.fillIn(['a d_mestic an_mal']); // ['a domestic animal']
   * ```
   */
  fillIn(texts: readonly string[], options: FillInOptions = {}): Promise<string[]> {
    return fillInTexts(
      {
        config: this.config,
        vocabulary: this.vocabulary,
        lexicon: this.wordList,
        wordNgram: this.bigrams,
        decoderLogits: (x) => this.decodeCodes(this.encodeBatch({ x }, false)),
        contextLogits: (x) => contextLogits(this.networks, this.config, x),
      },
      texts,
      options,
    );
  }
}
