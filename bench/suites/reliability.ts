/**
 * @file `npm run bench -- reliability [--quick] [--json file] [--seed n] [--count n] [--only re]`: the full
 * malformed-input corpus (test/reliability/fuzz) through every loader, in a watched child
 * process; prints and returns the counts by outcome and by loader, the slowest call, the RSS
 * growth and every failure (untyped error, timeout, crash, leaked tensors) with its mutation.
 */
import { runCorpusInChild, type FuzzSummary } from '../../test/reliability/fuzz/harness.js';
import { numberArg, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const FULL = 2000;
const QUICK = 300;

const suite: BenchSuite = {
  name: 'reliability',
  description: 'malformed WAV/image/IDX files and model folders through every loader (typed errors only, no hang, no crash)',
  async run(ctx: BenchContext): Promise<FuzzSummary> {
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
  },
};

export default suite;
