import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline } from '@huggingface/transformers';
import { EmptyInputError, InvalidArgumentError, ModelFormatError, ModelNotFoundError, row, type Matrix } from '@latentkit/core';
import { SentenceEncoder } from './sentence-encoder.js';
import { tinySentenceEncoderPath } from './tiny-sentence-encoder.js';

const TINY = tinySentenceEncoderPath();
const SENTENCES = [
  'A dog runs in the park.',
  'The cat sleeps on the warm windowsill while rain falls outside, and nobody in the house notices the time passing by.',
  'x',
  'Quantum chromodynamics describes the strong interaction between quarks and gluons.',
  'a dog runs in the park',
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norms(m: Matrix): number[] {
  return Array.from({ length: m.rows }, (_, i) => Math.sqrt(dot(row(m, i), row(m, i))));
}

/** `count` words that are single tokens in the tiny vocabulary, so token counts are known exactly. */
function words(count: number): string {
  const pool = ['the', 'of', 'and', 'to', 'a', 'in', 'or', 'for', 'that', 'with'];
  return Array.from({ length: count }, (_, i) => pool[i % pool.length]).join(' ');
}

let tmp: string;
let encoder: SentenceEncoder;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'lk-sentence-'));
  encoder = await SentenceEncoder.load(TINY, { localOnly: true });
});

afterAll(async () => {
  await encoder?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('SentenceEncoder on the tiny fixture', () => {
  it('runs the documented example', async () => {
    const e = await SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true });
    const [a, b] = await e.encode(['a dog runs', 'a cat sleeps']);
    expect(a.shape).toEqual([64]);
    expect(a.modality).toBe('text');
    expect(b.model).toBe(TINY);
    await e.dispose();
  });

  it('resolves its config from the model', () => {
    expect(encoder.dimension).toBe(64);
    expect(encoder.config).toEqual({ model: TINY, source: 'local', dtype: 'fp32', batchSize: 32, maxTokens: 128, dimension: 64 });
  });

  it('embeds n sentences into an [n, d] matrix of unit rows', async () => {
    const m = await encoder.embed(SENTENCES);
    expect([m.rows, m.cols]).toEqual([SENTENCES.length, 64]);
    expect(m.data.length).toBe(SENTENCES.length * 64);
    for (const n of norms(m)) expect(Math.abs(n - 1)).toBeLessThan(1e-5);
    expect(m.data.every(Number.isFinite)).toBe(true);
  });

  it('encodes into text latents stamped with the model path', async () => {
    const latents = await encoder.encode(SENTENCES);
    expect(latents).toHaveLength(SENTENCES.length);
    const m = await encoder.embed(SENTENCES);
    latents.forEach((l, i) => {
      expect(l.shape).toEqual([64]);
      expect(l.modality).toBe('text');
      expect(l.model).toBe(TINY);
      expect(Array.from(l.data)).toEqual(Array.from(row(m, i)));
    });
    // Each latent owns its data, not a view into a shared batch buffer.
    expect(latents[0].data.buffer).not.toBe(latents[1].data.buffer);
  });

  it('gives a padded batch the same vectors as one-by-one encoding', async () => {
    const together = await encoder.embed(SENTENCES);
    for (let i = 0; i < SENTENCES.length; i++) {
      const alone = await encoder.embed([SENTENCES[i]]);
      expect(maxAbsDiff(row(together, i), alone.data)).toBeLessThan(1e-5);
    }
    const small = await SentenceEncoder.load(TINY, { localOnly: true, batchSize: 2 });
    expect(maxAbsDiff((await small.embed(SENTENCES)).data, together.data)).toBeLessThan(1e-5);
    await small.dispose();
  });

  it('matches the raw Transformers.js feature-extraction pipeline', async () => {
    const pipe = await pipeline('feature-extraction', TINY, { local_files_only: true });
    const expected = await pipe(SENTENCES, { pooling: 'mean', normalize: true });
    const got = await encoder.embed(SENTENCES);
    expect(maxAbsDiff(got.data, expected.data as Float32Array)).toBeLessThan(1e-5);
    await pipe.dispose();
  });

  it('separates different sentences and repeats identical ones exactly', async () => {
    const m = await encoder.embed(['the dog bites the man', 'the man bites the dog', 'the dog bites the man', 'stars']);
    expect(Array.from(row(m, 0))).toEqual(Array.from(row(m, 2)));
    // Same words in another order differ too: positions and attention are real.
    expect(maxAbsDiff(row(m, 0), row(m, 1))).toBeGreaterThan(1e-3);
    expect(dot(row(m, 0), row(m, 3))).toBeLessThan(0.99);
    expect(maxAbsDiff(row(m, 0), row(m, 3))).toBeGreaterThan(1e-2);
  });

  it('encodes empty and whitespace-only text as the one "empty sentence" vector', async () => {
    const m = await encoder.embed(['', '   ', '\n\t ', '.']);
    for (const n of norms(m)) expect(Math.abs(n - 1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(row(m, 0), row(m, 1))).toBe(0);
    expect(maxAbsDiff(row(m, 0), row(m, 2))).toBe(0);
    expect(maxAbsDiff(row(m, 0), row(m, 3))).toBeGreaterThan(1e-3);
  });

  it('truncates long text to maxTokens, keeping the closing [SEP]', async () => {
    // 500 single-token words: [CLS] + 500 + [SEP] is far past 128 positions.
    const m = await encoder.embed([words(500), words(126), words(127)]);
    expect(Math.abs(norms(m)[0] - 1)).toBeLessThan(1e-5);
    // Truncated to [CLS] + 126 words + [SEP], the same as the text that fits exactly.
    expect(maxAbsDiff(row(m, 0), row(m, 1))).toBeLessThan(1e-6);
    expect(maxAbsDiff(row(m, 0), row(m, 2))).toBeLessThan(1e-6);

    const short = await SentenceEncoder.load(TINY, { localOnly: true, maxTokens: 16 });
    const s = await short.embed([words(40), words(14), words(13)]);
    expect(maxAbsDiff(row(s, 0), row(s, 1))).toBeLessThan(1e-6);
    expect(maxAbsDiff(row(s, 0), row(s, 2))).toBeGreaterThan(1e-3);
    await short.dispose();
  });

  it('handles a multi-megabyte string in bounded time', async () => {
    const huge = 'word '.repeat(400_000); // 2 MB
    const t0 = performance.now();
    const m = await encoder.embed([huge]);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(Math.abs(norms(m)[0] - 1)).toBeLessThan(1e-5);
  });

  it('returns empty results for an empty list', async () => {
    const m = await encoder.embed([]);
    expect([m.rows, m.cols, m.data.length]).toEqual([0, 64, 0]);
    expect(await encoder.encode([])).toEqual([]);
  });

  it('rejects non-string sentences', async () => {
    await expect(encoder.embed(['ok', 42 as unknown as string])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(encoder.embed([null as unknown as string])).rejects.toThrow(/Sentence 0 is null/);
  });

  it('loads the q8 weights, close to but not equal to fp32', async () => {
    const q8 = await SentenceEncoder.load(TINY, { localOnly: true, dtype: 'q8' });
    expect(q8.config.dtype).toBe('q8');
    const a = await encoder.embed(SENTENCES);
    const b = await q8.embed(SENTENCES);
    for (let i = 0; i < SENTENCES.length; i++) expect(dot(row(a, i), row(b, i))).toBeGreaterThan(0.99);
    expect(maxAbsDiff(a.data, b.data)).toBeGreaterThan(0);
    await q8.dispose();
  });

  it('refuses use after dispose, and disposes twice harmlessly', async () => {
    const e = await SentenceEncoder.load(TINY, { localOnly: true });
    await e.dispose();
    await e.dispose();
    await expect(e.embed(['x'])).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('SentenceEncoder.load errors', () => {
  it('fails fast with ModelNotFoundError for an uncached hub id when localOnly', async () => {
    const t0 = performance.now();
    const err = await SentenceEncoder.load('latentkit-test/no-such-model', { localOnly: true, cacheDir: tmp }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as ModelNotFoundError).code).toBe('LK_MODEL_NOT_FOUND');
    expect((err as Error).message).toMatch(/localOnly/);
    expect((err as Error).message).toContain(tmp);
  });

  it('reports an unreachable hub as ModelNotFoundError', async () => {
    const realFetch = env.fetch;
    let calls = 0;
    env.fetch = async () => {
      calls++;
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' }) });
    };
    try {
      const err = await SentenceEncoder.load('latentkit-test/no-such-model', { cacheDir: tmp }).catch((e: unknown) => e);
      expect(calls).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(ModelNotFoundError);
      expect((err as Error).message).toMatch(/could not be reached/);
      expect((err as Error).message).toMatch(/pass its path/);
    } finally {
      env.fetch = realFetch;
    }
  });

  it('throws ModelNotFoundError for a missing local folder', async () => {
    const missing = path.join(tmp, 'no-such-folder');
    const err = await SentenceEncoder.load(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as ModelNotFoundError).file).toBe(missing);
    await expect(SentenceEncoder.load('./definitely/not/here', { localOnly: true })).rejects.toBeInstanceOf(ModelNotFoundError);
    const home = await SentenceEncoder.load('~/no-such-latentkit-model').catch((e: unknown) => e);
    expect((home as ModelNotFoundError).file).toBe(path.join(homedir(), 'no-such-latentkit-model'));
  });

  it('throws ModelFormatError for a folder without a tokenizer', async () => {
    const dir = path.join(tmp, 'no-tokenizer');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    copyFileSync(path.join(TINY, 'config.json'), path.join(dir, 'config.json'));
    copyFileSync(path.join(TINY, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
    const err = await SentenceEncoder.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).file).toBe(path.join(dir, 'tokenizer.json'));
  });

  it('names the fix when the q8 file is missing', async () => {
    const dir = path.join(tmp, 'fp32-only');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      copyFileSync(path.join(TINY, f), path.join(dir, f));
    }
    const err = await SentenceEncoder.load(dir, { dtype: 'q8' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as Error).message).toMatch(/dtype: 'fp32'/);
  });

  it('wraps an unreadable ONNX file in ModelFormatError', async () => {
    const dir = path.join(tmp, 'corrupt');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(TINY, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'onnx', 'model.onnx'), 'not a protobuf');
    await expect(SentenceEncoder.load(dir)).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('rejects bad options', async () => {
    await expect(SentenceEncoder.load(TINY, { batchSize: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(SentenceEncoder.load(TINY, { dtype: 'fp16' as 'fp32' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(SentenceEncoder.load(TINY, { maxTokens: 1000 })).rejects.toThrow(/at most 128/);
    await expect(SentenceEncoder.load('')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('throws EmptyInputError for empty text when the tokenizer adds no special tokens', async () => {
    const dir = path.join(tmp, 'no-specials');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer_config.json', 'onnx/model.onnx']) copyFileSync(path.join(TINY, f), path.join(dir, f));
    const tokenizer = JSON.parse(readFileSync(path.join(TINY, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    tokenizer.post_processor = null;
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    const e = await SentenceEncoder.load(dir);
    expect((await e.embed(['some words'])).rows).toBe(1);
    await expect(e.embed(['fine', '  '])).rejects.toBeInstanceOf(EmptyInputError);
    await e.dispose();
  });
});
