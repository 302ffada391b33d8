import { describe, expect, it } from 'vitest';
import { parseQueueUrl, parseShard, planJobs, planShard, QueueUrlError, type InputUnits } from './index.js';

// Three files: a lone image-like file, a file of 500 lines, a file of 100 lines.
const units: InputUnits = { files: ['a', 'b', 'c'], counts: [1, 500, 100] };

describe('planning', () => {
  it('cuts inputs into jobs of whole batches, covering every sample once in order', () => {
    const jobs = planJobs(units, 250, 64); // 250 rounds to 256 = 4 batches of 64
    expect(jobs.map((j) => [j.start, j.rows])).toEqual([[0, 256], [256, 256], [512, 89]]);
    expect(jobs[0].items).toEqual([{ file: 'a' }, { file: 'b', from: 0, to: 255 }]);
    expect(jobs[1].items).toEqual([{ file: 'b', from: 255, to: 500 }, { file: 'c', from: 0, to: 11 }]);
    expect(jobs[2].items).toEqual([{ file: 'c', from: 11, to: 100 }]);
  });

  it('splits into N shards on batch boundaries; together they are the whole input', () => {
    const shards = [0, 1, 2, 3].map((k) => planShard(units, k, 4, 64));
    expect(shards.every((s) => s.start % 64 === 0)).toBe(true);
    let next = 0;
    for (const s of shards) {
      expect(s.start).toBe(next);
      next += s.rows;
    }
    expect(next).toBe(601);
    // More shards than batches: some are empty, none overlap.
    const many = Array.from({ length: 20 }, (_, k) => planShard(units, k, 20, 64));
    expect(many.reduce((a, s) => a + s.rows, 0)).toBe(601);
    expect(many.filter((s) => s.rows === 0).length).toBeGreaterThan(0);
    expect(() => planShard(units, 4, 4, 64)).toThrow(/0 <= k < N/);
  });

  it('parses --shard and --queue, refusing what they are not', () => {
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(() => parseShard('4/4')).toThrow(/below N/);
    expect(() => parseShard('1-4')).toThrow(/k\/N/);
    const a = parseQueueUrl('redis://user:s3cret@10.0.0.5:6380/mnist-run');
    expect(a).toMatchObject({ name: 'mnist-run', connection: { host: '10.0.0.5', port: 6380, username: 'user', password: 's3cret', maxRetriesPerRequest: null } });
    expect(a.display).not.toContain('s3cret');
    expect(parseQueueUrl('rediss://cache.example.com/q').connection).toMatchObject({ port: 6379, tls: {} });
    expect(() => parseQueueUrl('http://x/q')).toThrow(QueueUrlError);
    expect(() => parseQueueUrl('redis://127.0.0.1:6379')).toThrow(/name the queue/);
    expect(() => parseQueueUrl('not a url')).toThrow(/not a URL/);
  });
});

describe('an unreachable Redis', () => {
  it('is a QueueConnectionError naming the address, not a hang', async () => {
    const { checkRedis, QueueConnectionError } = await import('./index.js');
    const { createServer } = await import('node:net');
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const e = await checkRedis(parseQueueUrl(`redis://127.0.0.1:${port}/q`)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QueueConnectionError);
    expect((e as Error).message).toMatch(new RegExp(`127.0.0.1:${port}/q`));
  });
});
