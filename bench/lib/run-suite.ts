/**
 * @file The body of `npm run bench` (bench/run.ts): parses the arguments, runs one suite from
 * bench/suites/, prints its tables and writes the JSON its issue names.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { writeFileAtomic } from '@latentkit/core';
import { resolveDataDir, type BenchSuite } from './suite.js';

const suitesDir = resolve(import.meta.dirname, '..', 'suites');
const available = (await readdir(suitesDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3));

// The vendored yargs declaration types parsed options loosely; these are the ones declared below.
type BenchArgs = { suite: string; quick: boolean; json?: string; data?: string; out?: string } & Record<string, unknown>;
const argv = (await yargs(hideBin(process.argv))
  .scriptName('npm run bench --')
  .usage('$0 <suite> [options]')
  .command('$0 <suite>', 'run a benchmark suite', (y) => y.positional('suite', { choices: available, describe: 'which suite', type: 'string' }))
  .option('quick', { type: 'boolean', default: false, describe: 'reduced run, under 5 minutes' })
  .option('json', { type: 'string', describe: 'write the results as JSON to this file' })
  .option('data', { type: 'string', describe: 'data folder (default: $LATENTKIT_DATA or ../shared/data)' })
  .option('out', { type: 'string', describe: 'folder for pictures and audio (default: next to --json, else bench/results)' })
  .strict(false)
  .help()
  .parseAsync()) as BenchArgs;

const name = String(argv.suite);
const suite = (await import(`../suites/${name}.ts`)).default as BenchSuite;
const outDir = resolve(argv.out ?? (argv.json ? dirname(resolve(argv.json)) : resolve(import.meta.dirname, '..', 'results')));
await mkdir(outDir, { recursive: true });
const t0 = performance.now();
console.log(`latentkit bench: ${suite.name}${argv.quick ? ' (quick)' : ''}: ${suite.description}`);
const result = await suite.run({
  quick: argv.quick,
  dataDir: resolveDataDir(argv.data),
  outDir,
  args: argv,
  log: (m) => console.log(m),
});
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (argv.json) {
  const file = resolve(argv.json);
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${file}`);
}
// tfjs-backend-wasm may keep handles open; a benchmark is done when its suite returns.
process.exit(0);
