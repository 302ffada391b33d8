/**
 * @file @latentkit/queue: batch encoding spread over processes and machines. Inputs are cut
 * into jobs on BullMQ (Redis) or into `--shard k/N` slices; each job writes its shard
 * atomically, and the shards are joined in input order with their row manifest.
 */
export { parseQueueUrl } from './url.js';
export type { QueueAddress } from './url.js';
export { planJobs, planShard, parseShard } from './plan.js';
export type { InputUnits, WorkItem, WorkSlice } from './plan.js';
export { assembleShards, readShard, shardExists, writeAssembled, writeShard } from './shards.js';
export type { Assembled, Shard, ShardContent, ShardInfo } from './shards.js';
export { checkRedis, jobId, LOCK_MS, readRun, runWorker, submitRun, waitForRun } from './run.js';
export type { JobData, RunSpec, WaitOptions, WorkerOptions } from './run.js';
export { startRedis } from './redis-server.js';
export type { RedisServer } from './redis-server.js';
export { QueueConnectionError, QueueUrlError, ShardError } from './errors.js';
