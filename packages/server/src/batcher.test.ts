import { describe, expect, it } from 'vitest';
import { MicroBatcher, QueueFullError } from './batcher.js';

/** A run function that records its batches and answers each row doubled, after `ms`. */
function recorder(ms = 5) {
  const batches: number[][] = [];
  const run = async (rows: number[]) => {
    batches.push([...rows]);
    await new Promise((r) => setTimeout(r, ms));
    return rows.map((x) => x * 2);
  };
  return { batches, run };
}

describe('MicroBatcher', () => {
  it('gathers rows submitted together into one batch, in order, and answers each request its own rows', async () => {
    const { batches, run } = recorder();
    const b = new MicroBatcher(run, { maxBatchRows: 16, maxWaitMs: 5 });
    const answers = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6])]);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(answers.map((a) => a.results)).toEqual([[2, 4], [6], [8, 10, 12]]);
    expect(answers.every((a) => a.batchRows === 6)).toBe(true);
  });

  it('never runs more than maxBatchRows rows, splitting a large request over batches', async () => {
    const { batches, run } = recorder();
    const b = new MicroBatcher(run, { maxBatchRows: 4, maxWaitMs: 1 });
    const big = Array.from({ length: 10 }, (_, i) => i);
    const [a, c] = await Promise.all([b.submit(big), b.submit([100, 101])]);
    expect(batches.map((x) => x.length)).toEqual([4, 4, 4]);
    expect(a.results).toEqual(big.map((x) => x * 2));
    expect(c.results).toEqual([200, 202]);
  });

  it('gathers rows that arrive while a batch runs into the next one', async () => {
    const { batches, run } = recorder(30);
    const b = new MicroBatcher(run, { maxBatchRows: 64, maxWaitMs: 0 });
    const first = b.submit([1]);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [b.submit([2]), b.submit([3]), b.submit([4])];
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('refuses rows past maxQueuedRows with QueueFullError, but admits any request into an empty queue', async () => {
    const { run } = recorder(20);
    const b = new MicroBatcher(run, { maxBatchRows: 8, maxWaitMs: 50, maxQueuedRows: 3 });
    const ok = b.submit([1, 2, 3]);
    await expect(b.submit([4])).rejects.toBeInstanceOf(QueueFullError);
    expect((await ok).results).toEqual([2, 4, 6]);
    expect((await b.submit([1, 2, 3, 4, 5])).results).toHaveLength(5);
  });

  it('drops the queued rows of an aborted request and rejects it with the reason', async () => {
    const { batches, run } = recorder(20);
    const b = new MicroBatcher(run, { maxBatchRows: 2, maxWaitMs: 0 });
    const ac = new AbortController();
    const first = b.submit([1, 2]);
    const cancelled = b.submit([3, 4, 5, 6], ac.signal);
    ac.abort(new Error('timed out'));
    await expect(cancelled).rejects.toThrow('timed out');
    await first;
    await b.whenIdle();
    expect(batches).toEqual([[1, 2]]);
    expect(b.pendingRows).toBe(0);
  });

  it('a failing batch fails only the request that caused it: the others are rerun alone', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher(
      async (rows: number[]) => {
        batches.push([...rows]);
        if (rows.includes(-1)) throw new RangeError('bad row');
        return rows.map((x) => x + 1);
      },
      { maxBatchRows: 8, maxWaitMs: 5 },
    );
    const [good, bad, other] = await Promise.allSettled([b.submit([1]), b.submit([-1, 2]), b.submit([3])]);
    expect(good).toEqual({ status: 'fulfilled', value: { results: [2], batchRows: 4 } });
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect(other).toMatchObject({ status: 'fulfilled', value: { results: [4] } });
    expect(batches).toEqual([[1, -1, 2, 3], [1], [-1, 2], [3]]);
  });
});
