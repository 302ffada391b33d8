/**
 * @file `latentkit demo`: the one-command tour, writing `out/report.html` (see demo/demo.ts).
 */
import type { Argv } from 'yargs';
import { flag, optNumber, optString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

const PARTS = ['image', 'audio', 'text'] as const;

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'train small image, speech and text models and write an HTML report (offline, ~3 min)',
  builder: (y: Argv) =>
    y
      .option('out', { type: 'string', default: 'out', describe: 'report folder (report.html plus PNG/WAV files)' })
      .option('data', { type: 'string', describe: 'real data instead of the embedded synthetic data: a folder laid out like shared/data (mnist/, fsdd/)' })
      .option('quick', { type: 'boolean', default: false, describe: 'tiny budgets: a smoke test that finishes in seconds' })
      .option('only', { type: 'string', array: true, choices: PARTS, describe: 'run only these parts' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of data and training' })
      .example('$0 demo', 'out/report.html from embedded data')
      .example('$0 demo --out /tmp/lk --data ../shared/data', 'MNIST digits, FSDD speech, and spoken/written digit comparisons')
      .example('$0 demo --quick --only image', 'a few seconds, images only'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const data = optString(argv, 'data');
    const seed = optNumber(argv, 'seed', { integer: true, min: 0 }) ?? 1;
    const only = argv.only === undefined ? undefined : (Array.isArray(argv.only) ? argv.only : [argv.only]).map(String);
    if (only && only.some((p) => !(PARTS as readonly string[]).includes(p))) throw new UsageError(`--only takes ${PARTS.join(', ')}.`);
    const { openOutputDir } = await import('../lib/output.js');
    const out = await openOutputDir(optString(argv, 'out') ?? 'out', outputOptions(argv, ctx));
    const { runDemo } = await import('../demo/demo.js');
    ctx.log(`latentkit demo${flag(argv, 'quick') ? ' (quick)' : ''}: writing ${out.display}/report.html`);
    const result = await runDemo({
      out,
      data,
      quick: flag(argv, 'quick'),
      seed,
      parts: only as ('image' | 'audio' | 'text')[] | undefined,
      progress: ctx.progress,
      log: ctx.log,
    });
    ctx.stderr.write(`\n${result.stageTable}\n\n`);
    ctx.stdout.write(`report: ${result.report}\n`);
  },
};
