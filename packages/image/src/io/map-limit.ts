/**
 * @file Bounded-concurrency map for decoding many files without opening them all at once.
 * @internal
 */
import { InvalidArgumentError } from '@latentkit/core';

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep input order.
 * Stops starting new calls after the first failure and rethrows it.
 * @internal
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`concurrency must be a positive integer, got ${limit}.`);
  }
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
