/**
 * @file `latentkit compare a.npy b.npy`: how alike two sets of codes of the same inputs are,
 * by linear CKA and mutual k-nearest-neighbour overlap (row `i` of each file = input `i`).
 */
import type { Argv } from 'yargs';
import { optNumber, optString, reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';

export const compareCommand: CommandModule = {
  command: 'compare <a> <b>',
  describe: 'compare two [n, d] .npy code files row by row: linear CKA and mutual-kNN alignment',
  builder: (y: Argv) =>
    y
      .positional('a', { type: 'string', describe: 'first .npy ([n, d1])' })
      .positional('b', { type: 'string', describe: 'second .npy ([n, d2]); row i must be the same input as row i of a' })
      .option('k', { type: 'number', default: 10, describe: 'neighbours for mutual kNN' })
      .option('json', { type: 'string', describe: 'also write the result as JSON to this file' })
      .example('$0 compare images.npy words.npy', 'CKA and mutual-kNN (k=10) between two latent spaces')
      .example('$0 compare a.npy b.npy --k 5 --json result.json', 'with k=5, saved as JSON'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const aPath = reqString(argv, 'a');
    const bPath = reqString(argv, 'b');
    const k = optNumber(argv, 'k', { min: 1, max: 100_000, integer: true }) ?? 10;
    const jsonPath = optString(argv, 'json');
    const [{ compareCodes, readCodes }, { openOutputFile }] = await Promise.all([import('../lib/codes.js'), import('../lib/output.js')]);
    const jsonOut = jsonPath ? await openOutputFile(jsonPath, outputOptions(argv, ctx)) : undefined;
    const [a, b] = [await readCodes(aPath), await readCodes(bPath)];
    const result = await compareCodes(a, b, k);
    ctx.stdout.write(
      `rows        ${a.rows}\n` +
        `dims        ${a.cols} vs ${b.cols}\n` +
        `linear CKA  ${result.cka.toFixed(4)}\n` +
        `mutual kNN  ${result.mutualKnn.toFixed(4)} (k=${result.k})\n`,
    );
    if (jsonOut) {
      const written = await jsonOut.write(
        JSON.stringify({ a: aPath, b: bPath, rows: a.rows, dims: [a.cols, b.cols], linear_cka: result.cka, mutual_knn: result.mutualKnn, k: result.k }, null, 2) + '\n',
      );
      ctx.log(`wrote ${written}`);
    }
  },
};
