/**
 * @file `encode --queue` and `encode --shard`: the two ways `encode` spreads beyond one
 * process. `--queue redis://host:port/name` cuts the inputs into jobs on BullMQ for
 * `latentkit worker`s and returns; `--shard k/N` encodes the k-th of N slices here (for
 * schedulers that already spread work: Kubernetes Indexed Jobs, Slurm arrays). Either way
 * `latentkit collect` joins the shards in input order.
 */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { optNumber, optString, reqString, type Args } from './args.js';
import type { CommandContext } from './context.js';
import { UsageError } from './usage-error.js';

/** Default samples per job: a multiple of the usual batch (256), a few seconds of encoding. */
export const DEFAULT_JOB_SIZE = 1024;

/** Adds `--queue`, `--shard` and `--job-size` to `encode`. */
export function withDistributedOptions(y: Argv): Argv {
  return y
    .option('queue', { type: 'string', describe: 'split the inputs into jobs on this BullMQ queue, redis://host:port/<name> (rediss:// for TLS), for `latentkit worker`s; `latentkit collect` assembles the output' })
    .option('shard', { type: 'string', describe: 'encode only slice k of N (k from 0, e.g. $JOB_COMPLETION_INDEX/4), written as <out stem>.shard-k-of-N.*; `latentkit collect --shards N --out <out>` joins them' })
    .option('job-size', { type: 'number', describe: `inputs per job with --queue (rounded to whole batches) [default: ${DEFAULT_JOB_SIZE}]` });
}

/** Whether `encode` was asked to spread its work. */
export function isDistributed(argv: Args): boolean {
  return argv.queue !== undefined || argv.shard !== undefined;
}

/** What `encode` has already checked. */
export interface DistributedRequest {
  inputs: readonly string[];
  modelDir: string | undefined;
  /** `--part`, when given. */
  part: string | undefined;
}

/** The model to encode with, its fingerprint and the part to keep. */
export async function resolveModel(d: ModalityDescriptor, modelDir: string | undefined, asked: string | undefined) {
  const [{ loadAnyModel }, { modelFingerprint }] = await Promise.all([import('./models.js'), import('@latentkit/store')]);
  const model = modelDir ? await loadAnyModel(modelDir, d.name) : await d.defaultModel!.load();
  // A shipped default model has no folder to fingerprint; workers load the same default.
  const modelId = modelDir ? await modelFingerprint(modelDir) : `${d.name}:default-model`;
  const part = asked ?? d.defaultPart?.(model) ?? 'all';
  return { model, modelId, part };
}

/**
 * Runs `encode --queue` or `encode --shard`.
 * @throws {UsageError} for both at once, `--pretrained`, or a JSON output.
 */
export async function encodeDistributed(d: ModalityDescriptor, argv: Args, ctx: CommandContext, req: DistributedRequest): Promise<void> {
  const queueUrl = optString(argv, 'queue');
  const shardText = optString(argv, 'shard');
  if (queueUrl !== undefined && shardText !== undefined) throw new UsageError('Give --queue or --shard, not both.');
  if (optString(argv, 'pretrained') !== undefined) throw new UsageError('--queue and --shard encode with an autoencoder (--model); --pretrained runs in one process.');
  const outArg = reqString(argv, 'out');
  if (!/\.npy$/i.test(outArg)) throw new UsageError(`--queue and --shard write a .npy; '${outArg}' is not one.`);
  const jobSize = optNumber(argv, 'job-size', { min: 1, integer: true });
  if (jobSize !== undefined && queueUrl === undefined) throw new UsageError('--job-size goes with --queue.');

  const [queue, dist, { expandInputs }, { openOutputFile }, { outputOptions }] = await Promise.all([
    import('@latentkit/queue'),
    import('./distributed.js'),
    import('./inputs.js'),
    import('./output.js'),
    import('./read-paths.js'),
  ]);
  const files = await expandInputs(req.inputs, d.codec.extensions, d.codec.noun);
  const outFile = await openOutputFile(outArg, outputOptions(argv, ctx, files));
  const out = join(outFile.dir.path, outFile.name);
  const units = await dist.inputUnits(d, req.inputs, files);
  const rows = units.counts.reduce((a, b) => a + b, 0);
  const { model, modelId, part } = await resolveModel(d, req.modelDir, req.part);

  try {
    if (queueUrl !== undefined) {
      const address = queue.parseQueueUrl(queueUrl);
      const slices = queue.planJobs(units, jobSize ?? DEFAULT_JOB_SIZE, dist.batchOf(d));
      const id = dist.runId({ modality: d.name, modelId, part, files, split: `jobs/${slices[0]?.rows ?? 0}` });
      const spec = {
        kind: 'latentkit/run' as const,
        version: 1 as const,
        id,
        modality: d.name,
        modelId,
        modelDir: req.modelDir ?? '',
        part,
        out,
        shardDir: dist.shardDirOf(out),
        jobs: slices.length,
        rows,
      };
      const added = await queue.submitRun(address, spec, slices);
      ctx.stdout.write(`queued run ${id} on ${address.display}: ${rows} ${d.codec.noun}s in ${slices.length} jobs (${added} to encode, ${slices.length - added} already done); shards go to ${spec.shardDir}\n`);
      ctx.log(`next: latentkit worker --queue ${queueUrl} ${req.modelDir ? `--model ${req.modelDir}` : ''} (one per core, on any machine sharing ${spec.shardDir}), then latentkit collect --queue ${queueUrl}`);
      return;
    }
    const { k, n } = queue.parseShard(shardText!);
    const slice = queue.planShard(units, k, n, dist.batchOf(d));
    const base = dist.shardBase(out, k, n);
    const id = dist.runId({ modality: d.name, modelId, part, files, split: `shards/${n}` });
    const content = await dist.encodeItems(d, model, slice.items, part, ctx.progress);
    await queue.writeShard(base, { run: id, index: k, start: slice.start, modality: d.name, modelId, part }, content);
    const span = slice.rows ? `rows ${slice.start} to ${slice.start + slice.rows - 1} of ${rows}` : `no rows (${rows} inputs make fewer whole batches than shards)`;
    ctx.stdout.write(`wrote ${base}.npy: shard ${k} of ${n}, ${span}, float32 [${content.rows}, ${content.cols}]\n`);
  } finally {
    model.dispose();
  }
}
