/**
 * The reduced malformed-input corpus (300 inputs by default; `LATENTKIT_FUZZ_COUNT`,
 * `LATENTKIT_FUZZ_SEED` change it) through every loader: each call must end in a typed
 * latentkit error or a successful parse within 1 s, without crashing the (child) process,
 * leaking tfjs tensors, or growing its RSS without bound. The full corpus is
 * `npm run bench -- reliability`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as text from '@latentkit/text';
import { generateCorpus, MODEL_SEEDS, modelClassOf } from './corpus.js';
import { CALL_TIMEOUT_MS, runCorpusInChild, runInputs, type CallResult, type FuzzSummary } from './harness.js';

const COUNT = Number(process.env.LATENTKIT_FUZZ_COUNT ?? 300);
const SEED = Number(process.env.LATENTKIT_FUZZ_SEED ?? 1);
// Peak RSS over the post-warm-up baseline, across the whole run.
const RSS_BOUND_MB = 500;

let summary: FuzzSummary;
let childResults: CallResult[];
let work: string | undefined;

function describeFailures(kind: string): string {
  const list = summary.failures.filter((f) => (kind === 'leak' ? (f.leakedTensors ?? 0) > 0 : f.outcome === kind));
  return list.map((f) => `${f.loader} on ${f.input} [${f.seed}] "${f.mutation}": ${f.detail ?? ''}${f.leakedTensors ? ` (${f.leakedTensors} tensors left)` : ''}`).join('\n');
}

beforeAll(async () => {
  ({ summary, results: childResults } = await runCorpusInChild({ seed: SEED, count: COUNT, stallSeconds: 5, log: (l) => console.log(l) }));
}, 300_000);
afterAll(async () => work && rm(work, { recursive: true, force: true }));

describe(`malformed inputs (corpus seed ${SEED}, ${COUNT} inputs)`, () => {
  it('covers every target and every loader, including each exported model class', () => {
    expect(summary.inputs).toBe(COUNT);
    const encoder = typeof (text as Record<string, unknown>).SentenceEncoder === 'function';
    expect(Object.keys(summary.by_target).sort()).toEqual(['idx', 'image', 'mnist', 'model', ...(encoder ? ['pretrained'] : []), 'wav']);
    const expected = ['readWav(bytes)', 'readWav(path)', 'readImage(bytes)', 'readImage(path)', 'decodeIdx', 'readIdx(path)', 'loadMnist', 'readModelFolder'];
    if (encoder) expected.push('SentenceEncoder.load');
    for (const spec of MODEL_SEEDS) if (modelClassOf(spec)) expected.push(`${spec.className}.load`);
    expect(Object.keys(summary.by_loader).sort()).toEqual(expected.sort());
    // Most inputs are broken; the valid seeds and benign mutations still parse.
    expect(summary.by_outcome.success).toBeGreaterThan(20);
    expect(Object.keys(summary.by_outcome).filter((k) => k.startsWith('typed:')).length).toBeGreaterThanOrEqual(6);
  });

  it('every call ends in a typed latentkit error or a successful parse', () => {
    expect(summary.by_outcome.untyped ?? 0, describeFailures('untyped')).toBe(0);
  });

  it(`no call hangs or takes longer than ${CALL_TIMEOUT_MS} ms`, () => {
    expect(summary.by_outcome.timeout ?? 0, describeFailures('timeout')).toBe(0);
  });

  it('no input crashes the process', () => {
    // (Hangs restart the child too; they are counted as timeouts above.)
    expect(summary.by_outcome.crash ?? 0, describeFailures('crash')).toBe(0);
  });

  it('no loader leaves tfjs tensors behind, on success or failure', () => {
    expect(summary.tensor_leaks, describeFailures('leak')).toBe(0);
  });

  it(`RSS grows less than ${RSS_BOUND_MB} MB over the whole run`, () => {
    expect(summary.rss_growth_mb).toBeLessThan(RSS_BOUND_MB);
  });

  it('gives the same outcome in this process (Promise.race timeouts) as in the child', async () => {
    // A cross-section of the corpus, run again here: outcomes must not depend on the process.
    work = await mkdtemp(join(tmpdir(), 'lk-fuzz-inproc-'));
    const { inputs } = await generateCorpus({ seed: SEED, count: COUNT, workDir: join(work, 'seeds') });
    const failed = new Set(summary.failures.map((f) => f.input));
    const sample = inputs.filter((inp, i) => i % 10 === 0 && !failed.has(inp.id));
    const results = await runInputs(sample, { workDir: join(work, 'run') });
    expect(results.length).toBeGreaterThan(sample.length);
    const child = new Map(childResults.map((r) => [`${r.input} ${r.loader}`, r.outcome]));
    const differ = results.filter((r) => child.get(`${r.input} ${r.loader}`) !== r.outcome);
    expect(differ.map((r) => `${r.loader} ${r.input}: here ${r.outcome} ${r.detail ?? ''}, child ${child.get(`${r.input} ${r.loader}`)}`)).toEqual([]);
  }, 120_000);
});
