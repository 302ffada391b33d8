/**
 * @file `latentkit explore`: opens code sets (`.npy` + the row manifest `encode` writes beside
 * them) in the latent explorer, a page served on 127.0.0.1 only. With `--model`, the page loads
 * that model folder (served read-only: its manifest and the files it lists) and decodes the code
 * of any row clicked — the same for every modality: the model's own `decode` runs in the page.
 * Runs until interrupted (Ctrl-C).
 */
import type { Argv } from 'yargs';
import { optNumber, optString, stringList, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';

/** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** `explore` (needs no modality on the command line: the page decodes with the model's own code). */
export const exploreCommand: CommandModule = {
  command: 'explore',
  describe: 'open code sets in the latent explorer (a page on 127.0.0.1); --model decodes clicked rows',
  builder: (y: Argv) =>
    y
      .option('codes', { type: 'string', array: true, demandOption: true, describe: '.npy file(s) of codes [n, d], each with its .rows.csv beside it (from encode)' })
      .option('model', { type: 'string', describe: 'the model folder the codes came from: the page decodes a clicked row with it' })
      .option('port', { type: 'number', default: 0, describe: 'port on 127.0.0.1 (0: a free one)' })
      .example('latentkit explore --codes out/mnist.npy --model models/mnist', 'scatter MNIST codes; a click shows the decoded digit'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const codes = stringList(argv, 'codes');
    const model = optString(argv, 'model');
    const port = optNumber(argv, 'port', { min: 0, max: 65535, integer: true }) ?? 0;
    const { readCodeSet, startExplorerServer } = await import('@latentkit/explorer');
    const sets = [];
    for (const c of codes) sets.push(await readCodeSet({ codes: c }));
    const server = await startExplorerServer({ sets, port, ...(model !== undefined ? { model } : {}) });
    ctx.stdout.write(`latent explorer: ${server.url}\n`);
    ctx.log(`${sets.map((s) => `${s.name} (${s.n} x ${s.d})`).join(', ')}${model ? `; decoding with ${model}` : ''}; Ctrl-C stops it`);
    try {
      await untilStopped();
    } finally {
      await server.close();
    }
  },
};
