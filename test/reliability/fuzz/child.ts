/**
 * @file The fuzz child process: `child.ts <seed> <count> <start> [only]` builds the corpus, warms every
 * loader up on the valid seeds, then runs inputs from `start` on, printing one line per event
 * (stdout to a pipe is synchronous on Linux, so `BEGIN` is out before a native crash):
 *
 *   READY {inputs: [{id, target, seed, mutation, loaders}], skippedModels, workDir}
 *   BEGIN <index>
 *   RESULT {CallResult, growthMb: peak RSS minus the post-warm-up baseline}
 *   DONE {rssBaselineMb, rssPeakMb, rssEndMb}
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from './corpus.js';
import { loaders, peakRssMb, resetPeakRss, rssMb, runInputs } from './harness.js';

const [seed, count, start] = process.argv.slice(2, 5).map(Number);
const only = process.argv[5] ? new RegExp(process.argv[5]) : undefined;
const work = await mkdtemp(join(tmpdir(), 'lk-fuzz-'));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const emit = (tag: string, body: unknown) => process.stdout.write(`${tag} ${typeof body === 'string' ? body : JSON.stringify(body)}\n`);

try {
  const corpus = await generateCorpus({ seed, count, workDir: join(work, 'seeds') });
  if (only) corpus.inputs = corpus.inputs.filter((i) => only.test(`${i.id} ${i.mutation}`));
  const all = loaders();
  emit('READY', {
    inputs: corpus.inputs.map((i) => ({ id: i.id, target: i.target, seed: i.seed, mutation: i.mutation, loaders: all.filter((l) => l.accepts(i)).map((l) => l.name) })),
    skippedModels: corpus.skippedModels,
    workDir: work,
  });
  // Warm-up: every loader once on a valid seed (libvips, wasm, tfjs layer registries load lazily).
  const warm = corpus.inputs.filter((i) => i.mutation.startsWith('identity'));
  for (let k = 0; k < 2; k++) await runInputs(warm, { workDir: join(work, 'warm') });
  gc();
  const baseline = rssMb();
  const canReset = resetPeakRss();
  let sampledPeak = baseline;
  await runInputs(corpus.inputs, {
    workDir: join(work, 'run'),
    start,
    onInput: (i) => emit('BEGIN', String(i)),
    onResult: (r) => {
      sampledPeak = Math.max(sampledPeak, rssMb());
      // The peak so far rides along, so a run that later crashes still reports its memory.
      emit('RESULT', { ...r, growthMb: (canReset ? peakRssMb() : sampledPeak) - baseline });
    },
  });
  gc();
  emit('DONE', { rssBaselineMb: baseline, rssPeakMb: canReset ? peakRssMb() : sampledPeak, rssEndMb: rssMb() });
} finally {
  await rm(work, { recursive: true, force: true });
}
// tfjs-backend-wasm keeps handles open; the run is over.
process.exit(0);
