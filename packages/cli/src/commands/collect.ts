/**
 * @file `latentkit collect`: joins the shards of a distributed encode in input order into one
 * `.npy` and its row manifest (or into a latent store with `--db`): from a queue
 * (`--queue`, waiting for its workers) or from `encode --shard k/N` runs (`--shards N`).
 */
import { readdir, rm } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { flag, optNumber, optString, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

export const collectCommand: CommandModule = {
  command: 'collect',
  describe: 'join the shards of `encode --queue` or `encode --shard k/N` into one .npy with its row manifest, in input order',
  builder: (y: Argv) =>
    y
      .option('queue', { type: 'string', describe: 'the queue `encode --queue` filled: waits for its jobs, then joins their shards' })
      .option('shards', { type: 'number', describe: 'N of `encode --shard k/N`: joins <out stem>.shard-0-of-N ... shard-(N-1)-of-N' })
      .option('out', { type: 'string', describe: '.npy to write (with --queue: default the --out given to encode); its manifest goes beside it as <name>.rows.csv' })
      .option('db', { type: 'string', describe: 'also (or instead of --out, with --shards) add the codes to this latent store' })
      .option('keep-shards', { type: 'boolean', default: false, describe: 'keep the shard files after joining them' })
      .option('timeout', { type: 'number', describe: 'with --queue: give up after this many seconds' })
      .example('$0 collect --queue redis://127.0.0.1:6379/mnist', 'wait for the workers, write the run\'s codes.npy + codes.rows.csv')
      .example('$0 collect --shards 4 --out codes.npy --db codes.db', 'join codes.shard-{0..3}-of-4 into codes.npy and a store'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const url = optString(argv, 'queue');
    const n = optNumber(argv, 'shards', { min: 1, max: 100_000, integer: true });
    const outArg = optString(argv, 'out');
    const db = optString(argv, 'db');
    if ((url === undefined) === (n === undefined)) throw new UsageError('Give --queue <address> or --shards N.');
    if (n !== undefined && outArg === undefined) throw new UsageError('--shards needs --out: the .npy the shards were encoded for.');
    const timeout = optNumber(argv, 'timeout', { min: 1 });
    const [queue, dist, { rowsManifestPath }, { countProgress }, { openOutputFile }, { outputOptions }] = await Promise.all([
      import('@latentkit/queue'),
      import('../lib/distributed.js'),
      import('@latentkit/core'),
      import('../lib/progress.js'),
      import('../lib/output.js'),
      import('../lib/read-paths.js'),
    ]);
    let bases: string[];
    let out: string;
    let modelDir: string | undefined;
    let shardDir: string | undefined;
    if (url !== undefined) {
      const address = queue.parseQueueUrl(url);
      const spec = await queue.readRun(address);
      out = outArg ?? spec.out;
      modelDir = spec.modelDir || undefined;
      shardDir = spec.shardDir;
      ctx.log(`run ${spec.id}: ${spec.rows} rows in ${spec.jobs} jobs; waiting for the workers`);
      const bar = countProgress('jobs done', spec.jobs, ctx.progress);
      let shown = 0;
      try {
        bases = await queue.waitForRun(address, spec, {
          ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
          onProgress: (done) => {
            bar.tick(done - shown);
            shown = done;
          },
        });
      } finally {
        bar.stop();
      }
    } else {
      out = outArg!;
      bases = Array.from({ length: n! }, (_, k) => dist.shardBase(out, k, n!));
    }
    const shards = [];
    for (const b of bases) shards.push(await queue.readShard(b));
    const joined = queue.assembleShards(shards);
    const outFile = await openOutputFile(out, outputOptions(argv, ctx));
    const target = await outFile.dir.resolve(outFile.name);
    await queue.writeAssembled(target, rowsManifestPath(target), joined);
    ctx.stdout.write(`wrote ${target}: float32 [${joined.rows}, ${joined.cols}] from ${bases.length} shards, with ${rowsManifestPath(target)}\n`);
    if (db !== undefined) {
      const { LatentStore } = await import('@latentkit/store');
      const store = await LatentStore.open(db);
      try {
        const r = await store.add({ data: joined.data, rows: joined.rows, cols: joined.cols }, joined.records, {
          modality: joined.modality,
          modelId: joined.modelId,
          ...(modelDir !== undefined ? { modelDir: (await import('node:path')).resolve(modelDir) } : {}),
          part: joined.part,
        });
        ctx.stdout.write(`added ${r.added} ${joined.modality} codes to ${db} (ids ${r.firstId}-${r.firstId + r.added - 1}; ${r.total} in all${r.indexed ? ', indexed' : ''})\n`);
      } finally {
        store.close();
      }
    }
    if (!flag(argv, 'keep-shards')) {
      for (const b of bases) for (const ext of ['.json', '.npy', '.rows.csv']) await rm(`${b}${ext}`, { force: true });
      if (shardDir !== undefined && (await readdir(shardDir).catch(() => ['?'])).length === 0) await rm(shardDir, { recursive: true, force: true });
    }
  },
};
