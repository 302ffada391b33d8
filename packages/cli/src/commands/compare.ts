/**
 * @file `latentkit compare a.npy b.npy`: how alike two sets of codes of the same inputs are,
 * by linear CKA and mutual k-nearest-neighbour overlap (row `i` of each file = input `i`).
 *
 * Mutual kNN is only informative when k is well below the n - 1 other rows: at k = n - 1
 * every row's neighbours are all the other rows in both spaces and the score is 1 whatever
 * the codes are. So a k that is not smaller than n - 1 is refused (also the default k on a
 * small file), and the score is printed beside its chance level, k / (n - 1).
 */
import type { Argv } from 'yargs';
import { optNumber, optString, reqString, type Args } from '../lib/args.js';
import { outputOptions } from '../lib/read-paths.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

/** The default number of neighbours. */
export const DEFAULT_K = 10;

/**
 * Checks k against the row count: mutual kNN needs k < n - 1 (at n - 1 it is 1 for any codes).
 * @param k neighbours asked for.
 * @param rows rows of the code files.
 * @param given whether the user gave `--k` (the message differs for the default).
 * @throws {UsageError} when `k >= rows - 1`.
 */
export function checkK(k: number, rows: number, given: boolean): void {
  if (k < rows - 1) return;
  const largest = rows - 2;
  const what = given ? `--k ${k}` : `the default k of ${k}`;
  throw new UsageError(
    `${what} is not smaller than n - 1 = ${rows - 1} (the files have ${rows} rows): every row's neighbours would be all the other rows in both files, so mutual kNN would read 1 whatever the codes are.`,
    { hint: largest >= 1 ? `Give --k between 1 and ${largest}; well below ${rows - 1} is what makes the score informative.` : 'Mutual kNN needs at least 3 rows; compare more inputs.' },
  );
}

export const compareCommand: CommandModule = {
  command: 'compare <a> <b>',
  describe: 'compare two [n, d] .npy code files row by row: linear CKA and mutual-kNN alignment',
  builder: (y: Argv) =>
    y
      .positional('a', { type: 'string', describe: 'first .npy ([n, d1])' })
      .positional('b', { type: 'string', describe: 'second .npy ([n, d2]); row i must be the same input as row i of a' })
      .option('k', { type: 'number', describe: `neighbours for mutual kNN; must be smaller than n - 1 [default: ${DEFAULT_K}]` })
      .option('json', { type: 'string', describe: 'also write the result as JSON to this file' })
      .example('$0 compare images.npy words.npy', 'CKA and mutual-kNN (k=10) between two latent spaces')
      .example('$0 compare a.npy b.npy --k 5 --json result.json', 'with k=5, saved as JSON'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const aPath = reqString(argv, 'a');
    const bPath = reqString(argv, 'b');
    const givenK = optNumber(argv, 'k', { min: 1, max: 100_000, integer: true });
    const k = givenK ?? DEFAULT_K;
    const jsonPath = optString(argv, 'json');
    const [{ compareCodes }, { readCodes }, { openOutputFile }] = await Promise.all([import('@latentkit/core'), import('../lib/codes.js'), import('../lib/output.js')]);
    const jsonOut = jsonPath ? await openOutputFile(jsonPath, outputOptions(argv, ctx)) : undefined;
    const [a, b] = [await readCodes(aPath), await readCodes(bPath)];
    // Row counts are checked by compareCodes (ShapeMismatchError); k only once they agree.
    if (a.rows === b.rows) checkK(k, a.rows, givenK !== undefined);
    const result = await compareCodes(a, b, k);
    const chance = result.k / (a.rows - 1);
    ctx.stdout.write(
      `rows        ${a.rows}\n` +
        `dims        ${a.cols} vs ${b.cols}\n` +
        `linear CKA  ${result.cka.toFixed(4)}\n` +
        `mutual kNN  ${result.mutualKnn.toFixed(4)} (k=${result.k})\n` +
        `  chance    ${chance.toFixed(4)} (k / (n - 1): what unrelated codes score)\n`,
    );
    if (jsonOut) {
      const written = await jsonOut.write(
        JSON.stringify({ a: aPath, b: bPath, rows: a.rows, dims: [a.cols, b.cols], linear_cka: result.cka, mutual_knn: result.mutualKnn, k: result.k, mutual_knn_chance: chance }, null, 2) + '\n',
      );
      ctx.log(`wrote ${written}`);
    }
  },
};
