/**
 * @file Errors of distributed encoding, on core's LatentkitError (one line in the CLI, with a hint).
 */
import { LatentkitError } from '@latentkit/core';

/** A `--queue` address that is not `redis[s]://[user:password@]host[:port]/<queue name>`. */
export class QueueUrlError extends LatentkitError {
  override readonly code: string = 'LK_QUEUE_URL';
}

/** Redis could not be reached, or answered with an error. */
export class QueueConnectionError extends LatentkitError {
  override readonly code: string = 'LK_QUEUE_CONNECTION';
}

/** A run's jobs or shards are missing, failed, or belong to different runs. */
export class ShardError extends LatentkitError {
  override readonly code: string = 'LK_SHARD';
}
