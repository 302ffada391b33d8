/**
 * @file `npm run bench -- reliability [--quick] [--json file] [--seed n] [--count n] [--only re]
 * [--sections fuzz,saves,kills,paths,loaders]`: everything the reliability tests check, at full
 * size, as counts:
 * - `fuzz`: the malformed-input corpus (test/reliability/fuzz) through every loader, in a
 *   watched child process: counts by outcome and by loader, the slowest call, the RSS growth and
 *   every failure (untyped error, timeout, crash, leaked tensors) with its mutation;
 * - `saves`: 2 and 4 processes saving into one model folder 50 times each, through the library
 *   and through the CLI's `train` (test/reliability/save-stress.ts), loading after every save;
 * - `kills`: 2 writers of one folder killed with SIGKILL at random moments, a load after each;
 * - `paths`: the CLI's hostile output paths; `loaders`: the loader cases (hostile-cases.ts).
 * The test command runs reduced versions of each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '@latentkit/core';
import { runCorpusInChild, type FuzzSummary } from '../../test/reliability/fuzz/harness.js';
import { runLoaderCases, runPathCases, type CaseOutcome } from '../../test/reliability/hostile-cases.js';
import { runConcurrentSaves, runSaveKills, type ConcurrentSaveResult, type SaveKillResult } from '../../test/reliability/save-stress.js';
import { numberArg, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const FULL = 2000;
const QUICK = 300;
const SECTIONS = ['fuzz', 'saves', 'kills', 'paths', 'loaders'] as const;

/** Counts of a list of hostile cases. */
interface CaseCounts {
  cases: number;
  /** Ended in a typed latentkit error. */
  typed: number;
  /** Left every protected file as it was (path cases). */
  unchanged: number;
  failures: CaseOutcome[];
}

/** What the suite returns (and `--json` writes): the corpus summary plus the new sections. */
type ReliabilityResult = Partial<FuzzSummary> & {
  concurrent_saves?: ConcurrentSaveResult[];
  save_kills?: SaveKillResult;
  path_cases?: CaseCounts;
  loader_cases?: CaseCounts;
};

function counts(outcomes: CaseOutcome[]): CaseCounts {
  return {
    cases: outcomes.length,
    typed: outcomes.filter((o) => o.code !== undefined).length,
    unchanged: outcomes.filter((o) => o.unchanged).length,
    failures: outcomes.filter((o) => o.code === undefined || !o.unchanged),
  };
}

async function fuzz(ctx: BenchContext): Promise<FuzzSummary> {
  const seed = numberArg(ctx.args, 'seed') ?? 1;
  const count = numberArg(ctx.args, 'count') ?? (ctx.quick ? QUICK : FULL);
  ctx.log(`corpus: seed ${seed}, ${count} inputs`);
  const only = ctx.args.only === undefined ? undefined : String(ctx.args.only);
  const { summary: s } = await runCorpusInChild({ seed, count, only, log: ctx.log });
  ctx.log('');
  ctx.log(formatTable(Object.entries(s.by_outcome).map(([outcome, calls]) => ({ outcome, calls }))));
  ctx.log('');
  const outcomes = [...new Set(Object.values(s.by_loader).flatMap((o) => Object.keys(o)))].sort();
  ctx.log(formatTable(Object.entries(s.by_loader).map(([loader, o]) => ({ loader, ...Object.fromEntries(outcomes.map((k) => [k.replace('typed:LK_', ''), o[k] ?? 0])) }))));
  ctx.log('');
  ctx.log(`inputs ${s.inputs} (${Object.entries(s.by_target).map(([t, n]) => `${t} ${n}`).join(', ')}), calls ${s.calls}, slowest call ${s.max_ms} ms`);
  ctx.log(`RSS growth after warm-up: peak +${s.rss_growth_mb} MB, end +${s.rss_end_growth_mb} MB; child restarts ${s.child_restarts}; ${s.seconds} s`);
  if (s.skipped_models.length) ctx.log(`model seeds not covered: ${s.skipped_models.map((m) => `${m.name} (${m.reason})`).join('; ')}`);
  ctx.log(`failures: ${s.failures.length}`);
  for (const f of s.failures) ctx.log(`  ${f.outcome}  ${f.loader}  ${f.input} [${f.seed}] ${f.mutation}: ${f.detail ?? ''}${f.leakedTensors ? ` (leaked ${f.leakedTensors} tensors)` : ''}`);
  return s;
}

const suite: BenchSuite = {
  name: 'reliability',
  description: 'malformed inputs through every loader; concurrent and killed saves into one model folder; hostile output paths; loader validation',
  async run(ctx: BenchContext): Promise<ReliabilityResult> {
    const wanted = ctx.args.sections === undefined ? SECTIONS : String(ctx.args.sections).split(',');
    const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`--sections takes ${SECTIONS.join(', ')}; got ${unknown.join(', ')}.`);
    const saves = ctx.quick ? 10 : 50;
    const cliSaves = ctx.quick ? 5 : 50;
    const kills = numberArg(ctx.args, 'kills') ?? (ctx.quick ? 20 : 100);
    const result: ReliabilityResult = {};
    if (wanted.includes('fuzz')) Object.assign(result, await fuzz(ctx));
    await initEngine({ backend: 'wasm' });
    const root = await mkdtemp(join(tmpdir(), 'lk-bench-reliability-'));
    try {
      if (wanted.includes('saves')) {
        result.concurrent_saves = [];
        for (const mode of ['library', 'cli'] as const) {
          for (const writers of [2, 4]) {
            const r = await runConcurrentSaves({ root, writers, saves: mode === 'library' ? saves : cliSaves, mode });
            result.concurrent_saves.push(r);
            ctx.log(`${mode} ${writers}x${r.savesPerWriter}: saved ${r.saved}, save errors ${r.saveErrors.length}, loads after a save ${r.loaded} ok / ${r.loadErrors.length} failed, ` +
              `loads at the end ${r.loadsAtEnd}, left ${r.end.generations} generation(s) + ${r.end.strays.length} stray(s), ${r.seconds} s`);
            for (const e of [...r.saveErrors, ...r.loadErrors].slice(0, 5)) ctx.log(`  ${e}`);
          }
        }
        ctx.log('');
        ctx.log(formatTable(result.concurrent_saves.map((r) => ({ mode: r.mode, writers: r.writers, saves: r.writers * r.savesPerWriter, ok: r.saved, save_errors: r.saveErrors.length, loads_ok: r.loaded, load_errors: r.loadErrors.length, generations_left: r.end.generations, strays: r.end.strays.length }))));
      }
      if (wanted.includes('kills')) {
        const k = await runSaveKills({ root, writers: 2, kills, seed: numberArg(ctx.args, 'seed') ?? 2024 });
        result.save_kills = k;
        ctx.log(`SIGKILL: ${k.kills} kills among ${k.writers} writers (${k.saves} saves completed): loads after a kill ${k.loaded} ok / ${k.failures.length} failed; ` +
          `after one more save ${k.afterCleanSave.generations} generation(s), ${k.afterCleanSave.strays.length} stray(s); ${k.seconds} s`);
        for (const f of k.failures.slice(0, 5)) ctx.log(`  ${f}`);
      }
      if (wanted.includes('paths')) {
        result.path_cases = counts(await runPathCases(join(root, 'paths')));
        ctx.log(`hostile output paths: ${result.path_cases.cases} cases, ${result.path_cases.typed} refused with a typed error, ${result.path_cases.unchanged} left everything unchanged`);
        for (const f of result.path_cases.failures) ctx.log(`  FAILED ${f.name}: ${f.errorClass ?? 'exit 0'} ${f.detail ?? ''}`);
      }
      if (wanted.includes('loaders')) {
        result.loader_cases = counts(await runLoaderCases(join(root, 'loaders')));
        ctx.log(`loader cases: ${result.loader_cases.cases} cases, ${result.loader_cases.typed} typed errors`);
        for (const f of result.loader_cases.failures) ctx.log(`  FAILED ${f.name}: ${f.errorClass ?? 'loaded'} ${f.detail ?? ''}`);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    return result;
  },
};

export default suite;
