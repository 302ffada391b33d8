/**
 * @file Runs on BullMQ: `submitRun` puts one job per slice of the inputs on a queue (job id =
 * run id + slice, so submitting the same run twice adds nothing), `runWorker` takes jobs and
 * writes each one's shard, and `waitForRun` watches the shards appear until all are there.
 *
 * A worker killed mid-job stops renewing its job's lock; BullMQ's stalled-job check moves the
 * job back to the waiting list after {@link LOCK_MS}, and another worker takes it. Shards are
 * written atomically and a job whose shard exists returns at once, so each row is encoded into
 * the output exactly once whatever dies when.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InvalidArgumentError } from '@latentkit/core';
import { QueueConnectionError, ShardError } from './errors.js';
import type { WorkItem, WorkSlice } from './plan.js';
import { shardExists, writeShard, type ShardContent } from './shards.js';
import type { QueueAddress } from './url.js';

/**
 * How long a job's lock lasts without renewal (the worker renews it every half of this). A
 * killed worker's job is retried after about this long; shorter would risk a busy worker on a
 * loaded machine (encoding blocks its event loop between batches) being taken for dead.
 */
export const LOCK_MS = 20_000;
/** How often workers look for stalled jobs. */
const STALLED_CHECK_MS = 5_000;
/** Times a job may stall (its worker die) before it fails. */
const MAX_STALLED = 5;
/** Times a job that throws is tried. */
const ATTEMPTS = 3;

/** What a run is: recorded in Redis by `encode --queue`, read by `collect`. */
export interface RunSpec {
  kind: 'latentkit/run';
  version: 1;
  /** Digest of inputs, model, part and split. */
  id: string;
  modality: string;
  /** Fingerprint of the model the jobs must be encoded with. */
  modelId: string;
  /** The submitter's model folder (workers use their own `--model`, checked by fingerprint). */
  modelDir: string;
  part: string;
  /** The output `collect` writes by default. */
  out: string;
  /** Folder of the shards (on storage every worker shares). */
  shardDir: string;
  jobs: number;
  rows: number;
}

/** One job's data. */
export interface JobData {
  run: string;
  index: number;
  start: number;
  rows: number;
  items: WorkItem[];
  /** Shard base path (`<shardDir>/<run>-<index>`). */
  shard: string;
  modality: string;
  modelId: string;
  part: string;
}

const runKey = (address: QueueAddress) => `latentkit:run:${address.name}`;
export const jobId = (run: string, index: number) => `${run}-${String(index).padStart(6, '0')}`;

/**
 * Checks that Redis answers, failing fast instead of retrying forever.
 * @throws {QueueConnectionError} naming the address.
 */
export async function checkRedis(address: QueueAddress): Promise<void> {
  const client = new Redis({ ...address.connection, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new QueueConnectionError(`Cannot reach Redis at ${address.display}: ${(e as Error).message}.`, {
      cause: e,
      hint: 'Start one (redis-server --port 6379 --save "" --appendonly no) or check --queue.',
    });
  } finally {
    client.disconnect();
  }
}

/**
 * Records a run and adds its jobs. Jobs of the same run already on the queue are not added twice.
 * @returns the number of jobs whose shard still has to be made.
 */
export async function submitRun(address: QueueAddress, spec: RunSpec, slices: readonly WorkSlice[]): Promise<number> {
  await checkRedis(address);
  const queue = new Queue<JobData, unknown, string>(address.name, { connection: address.connection });
  const client = new Redis(address.connection);
  try {
    await client.set(runKey(address), JSON.stringify(spec));
    const pending: { name: string; data: JobData; opts: { jobId: string; attempts: number; backoff: { type: 'fixed'; delay: number }; removeOnComplete: { age: number }; removeOnFail: { age: number } } }[] = [];
    for (const s of slices) {
      const shard = `${spec.shardDir}/${jobId(spec.id, s.index)}`;
      if (await shardExists(shard)) continue;
      pending.push({
        name: 'encode',
        data: { run: spec.id, index: s.index, start: s.start, rows: s.rows, items: s.items, shard, modality: spec.modality, modelId: spec.modelId, part: spec.part },
        opts: { jobId: jobId(spec.id, s.index), attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
      });
    }
    for (let i = 0; i < pending.length; i += 500) await queue.addBulk(pending.slice(i, i + 500));
    return pending.length;
  } finally {
    client.disconnect();
    await queue.close();
  }
}

/**
 * The run last submitted on this queue.
 * @throws {ShardError} when none was.
 */
export async function readRun(address: QueueAddress): Promise<RunSpec> {
  await checkRedis(address);
  const client = new Redis(address.connection);
  try {
    const text = await client.get(runKey(address));
    if (!text) throw new ShardError(`No run was submitted on ${address.display}.`, { hint: 'Submit one with `latentkit encode ... --queue <address>`.' });
    return JSON.parse(text) as RunSpec;
  } finally {
    client.disconnect();
  }
}

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** Return once the queue has nothing waiting, delayed or active (for batch schedulers and tests). */
  exitWhenIdle?: boolean;
  /** Called after each job with its index and whether the shard was made or found. */
  onJob?(data: JobData, outcome: 'encoded' | 'existed'): void;
  /** Stops the worker (it finishes its current job first). */
  signal?: AbortSignal;
}

/**
 * Takes jobs from the queue and writes their shards with `encode`, one job at a time (run one
 * worker per core).
 * @param encode encodes a job's items into codes and row records, in order.
 * @returns how many jobs this worker encoded.
 */
export async function runWorker(address: QueueAddress, encode: (data: JobData) => Promise<ShardContent>, options: WorkerOptions = {}): Promise<number> {
  await checkRedis(address);
  let encoded = 0;
  const worker = new Worker<JobData>(
    address.name,
    async (job: Job<JobData>) => {
      const d = job.data;
      if (await shardExists(d.shard)) {
        options.onJob?.(d, 'existed');
        return 'existed';
      }
      const content = await encode(d);
      if (content.rows !== d.rows) throw new ShardError(`Job ${job.id}: encoded ${content.rows} rows, the job has ${d.rows}.`);
      await writeShard(d.shard, { run: d.run, index: d.index, start: d.start, modality: d.modality, modelId: d.modelId, part: d.part }, content);
      encoded++;
      options.onJob?.(d, 'encoded');
      return 'encoded';
    },
    { connection: address.connection, concurrency: 1, lockDuration: LOCK_MS, stalledInterval: STALLED_CHECK_MS, maxStalledCount: MAX_STALLED, autorun: false },
  );
  worker.on('error', () => {
    // Connection hiccups are retried by ioredis; a job's own failure is recorded on the job.
  });
  const queue = new Queue<JobData>(address.name, { connection: address.connection });
  const done = worker.run();
  const stop = () => void worker.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (options.exitWhenIdle) {
    const check = async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).every((n) => n === 0)) await worker.close();
      else timer = setTimeout(() => void check().catch(stop), 1_000);
    };
    timer = setTimeout(() => void check().catch(stop), 1_000);
  }
  try {
    await done;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    await queue.close();
  }
  return encoded;
}

/** Options of {@link waitForRun}. */
export interface WaitOptions {
  /** Called as shards appear: how many of the run's jobs are done. */
  onProgress?(done: number, total: number): void;
  /** Give up after this long. @default no limit */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits until every job of the run has its shard.
 * @returns the shard base paths, in order.
 * @throws {ShardError} when a job failed for good (naming its error) or the time runs out.
 */
export async function waitForRun(address: QueueAddress, spec: RunSpec, options: WaitOptions = {}): Promise<string[]> {
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new InvalidArgumentError(`timeoutMs must be > 0, got ${options.timeoutMs}.`);
  const bases = Array.from({ length: spec.jobs }, (_, i) => `${spec.shardDir}/${jobId(spec.id, i)}`);
  const queue = new Queue<JobData>(address.name, { connection: address.connection });
  const t0 = Date.now();
  try {
    const done = new Array<boolean>(spec.jobs).fill(false);
    for (let poll = 0; ; poll++) {
      for (let i = 0; i < bases.length; i++) if (!done[i]) done[i] = await shardExists(bases[i]);
      const count = done.filter(Boolean).length;
      options.onProgress?.(count, spec.jobs);
      if (count === spec.jobs) return bases;
      // Shards are files, checked every poll; job states are two Redis calls per unfinished job,
      // so they are read every 10th poll (a failure is reported within ~5 s) rather than costing
      // a 60-job run 120 round trips twice a second on the cores the workers use.
      for (let i = 0; i < bases.length && poll % 10 === 0; i++) {
        if (done[i]) continue;
        const job = await queue.getJob(jobId(spec.id, i));
        if (!job) {
          throw new ShardError(`Job ${i} of run ${spec.id} is neither on ${address.display} nor done (its shard ${bases[i]}.json is missing).`, {
            hint: 'Submit the run again with the same `latentkit encode ... --queue` command: finished shards are kept.',
          });
        }
        if ((await job.getState()) === 'failed') {
          throw new ShardError(`Job ${i} of run ${spec.id} failed ${job.attemptsMade} time(s): ${job.failedReason}`, {
            hint: 'Fix the cause, then submit the run again: finished shards are kept.',
          });
        }
      }
      if (options.timeoutMs !== undefined && Date.now() - t0 > options.timeoutMs) throw new ShardError(`Run ${spec.id}: ${count} of ${spec.jobs} shards after ${options.timeoutMs} ms.`);
      if (options.signal?.aborted) throw new ShardError(`Run ${spec.id}: stopped waiting at ${count} of ${spec.jobs} shards.`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await queue.close();
  }
}
