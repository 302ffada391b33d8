/** The thread choice of `threads: 'auto'` (threads.ts), on made-up step times. */
import { describe, expect, it } from 'vitest';
import { ThreadChooser, type StepMode } from './threads.js';

describe('ThreadChooser', () => {
  const probe = (c: ThreadChooser, ms: (threads: StepMode, i: number) => number) => {
    for (let i = 0; i < 48; i++) {
      const t = c.next();
      if (c.record(t, ms(t, i))) return i + 1;
    }
    return -1;
  };
  it("'auto' keeps split halves only when they are at least 15% faster, and measures again later", () => {
    let now = 0;
    const c = new ThreadChooser('auto', 2, true, () => now);
    expect(probe(c, (t) => (t === 1 ? 10 : 7))).toBe(28);
    expect(c.current).toBe('split');
    expect(c.next()).toBe('split');
    now += 121_000; // a new probe: the machine got busy
    expect(probe(c, (t) => (t === 1 ? 10 : 9))).toBe(28);
    expect(c.current).toBe(1);
    expect(new ThreadChooser('auto', 1, true).next()).toBe(1);
    // Where a batch cannot be split, 'auto' is 1 thread: 2 intra-op threads are not timed.
    const one = new ThreadChooser('auto', 2, false, () => now);
    now += 121_000;
    expect(one.next()).toBe(1);
    expect(one.probes(2)).toBe(false);
    expect(new ThreadChooser(3, 2).next()).toBe(3);
    expect(new ThreadChooser('spin', 2).next()).toBe('spin');
  });
  it("measures again after 15 s, not 2 minutes, after a model's first probe (however clear) and after a close call", () => {
    let now = 0;
    const c = new ThreadChooser('auto', 2, true, () => now);
    const nextProbeIn = (ms: number, keeps: 1 | 'split') => {
      now += ms - 1_000;
      expect(c.next()).toBe(keeps);
      now += 2_000;
    };
    // The first probe (1 thread against split halves: 28 steps), disturbed at a fit's start:
    // split halves 40% slower, not a close call.
    expect(probe(c, (t) => (t === 1 ? 10 : 14))).toBe(28);
    expect(c.current).toBe(1);
    nextProbeIn(15_000, 1);
    // Split halves slowed by something else during the probe: 1 thread kept, split within 25%.
    expect(probe(c, (t) => (t === 1 ? 10 : 9))).toBe(28);
    expect(c.current).toBe(1);
    nextProbeIn(15_000, 1);
    // A clear choice after the first: the next probe is 2 minutes away.
    expect(probe(c, (t) => (t === 1 ? 10 : 6))).toBe(28);
    expect(c.current).toBe('split');
    nextProbeIn(120_000, 'split');
    expect(c.next()).toBe(1);
  });
  it('waits 20 times as long as a probe took before the next, up to 2 minutes', () => {
    let now = 0;
    const c = new ThreadChooser('auto', 2, true, () => now);
    const nextProbeAfter = () => {
      let waited = 0;
      while (c.next() === c.current && !c.probes('split')) {
        now += 1_000;
        waited += 1_000;
      }
      return waited;
    };
    // A close call whose 28 steps took 150 ms each (4.2 s): the next probe 84 s later, not 15.
    expect(probe(c, (t) => ((now += 150), t === 1 ? 10 : 9))).toBe(28);
    expect(nextProbeAfter()).toBe(85_000);
    // Steps of 2 s (56 s): the next after the usual 2 minutes, not 16.
    expect(probe(c, (t) => ((now += 2_000), t === 1 ? 10 : 9))).toBe(28);
    expect(nextProbeAfter()).toBe(121_000);
    // Quick steps: after 15 s, as before.
    expect(probe(c, (t) => ((now += 1), t === 1 ? 10 : 9))).toBe(28);
    expect(nextProbeAfter()).toBe(16_000);
  });
  it('probes in blocks and is not fooled by the slow first steps after a switch or by scattered steps', () => {
    const c = new ThreadChooser('auto', 2, true, () => 0);
    const seq: StepMode[] = [];
    // Split halves are really 2x slower; the first step of each block is very slow on 1 thread
    // (cold cache), and one split step in each block is a lucky 3 ms.
    let pos = 0;
    probe(c, (t) => {
      pos = seq.at(-1) === t ? pos + 1 : 0;
      seq.push(t);
      if (t === 1) return pos === 0 ? 40 : 10;
      return pos === 1 ? 3 : 20;
    });
    const block = (m: StepMode, n: number) => Array<StepMode>(n).fill(m);
    // A mode's first block warms up for 3 steps, the others for 1.
    expect(seq).toEqual([...block(1, 6), ...block('split', 6), ...block(1, 4), ...block('split', 4), ...block(1, 4), ...block('split', 4)]);
    expect(c.current).toBe(1);
  });
  it("does not time a mode's first 3 steps in a probe: slow first steps on fresh split sessions do not hide their gain", () => {
    const c = new ThreadChooser('auto', 2, true, () => 0);
    let k = 0;
    // Split halves: 20 ms for their first 3 steps (fresh sessions), then 7 ms with a stall of
    // 15 ms every third step (as in an engine benchmark's probe); 1 thread 10 ms. Timing the
    // first block from its second step, 5 of the 9 timed split steps were slow.
    probe(c, (t) => (t === 1 ? 10 : ++k <= 3 ? 20 : k % 3 === 1 ? 15 : 7));
    expect(c.current).toBe('split');
    expect(c.describe()).toBe('split halves on 2 threads (auto; median ms per step: 1 thread 10.0, split halves on 2 threads 7.00)');
  });
  it('times a block\'s steps taken in one run as that many steps of the run\'s time each', () => {
    const c = new ThreadChooser('auto', 2, true, () => 0);
    expect(c.runLength()).toBe(Infinity); // no probe yet
    const lengths: number[] = [];
    let decided = false;
    while (!decided) {
      const mode = c.next();
      const n = Math.min(c.runLength(), 8);
      lengths.push(n);
      // Warm-up steps run alone and slowly; a run of several takes 9 ms per step on 1 thread, 6 on split halves.
      decided = c.record(mode, n === 1 ? 50 : n * (mode === 1 ? 9 : 6), n);
    }
    // Each block of 4: a warm-up step alone, then its 3 timed steps in one run (a mode's first
    // block: 3 warm-up steps alone).
    expect(lengths).toEqual([1, 1, 1, 3, 1, 1, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3]);
    expect(c.current).toBe('split');
    expect(c.describe()).toBe('split halves on 2 threads (auto; median ms per step: 1 thread 9.00, split halves on 2 threads 6.00)');
    expect(c.runLength()).toBe(Infinity);
  });
  it('times blocks of intra-op threads in runs as long as runs outside the probe; split blocks stay short', () => {
    const blocksOf = (splittable: boolean) => {
      const c = new ThreadChooser('auto', 2, splittable, () => 0, 8);
      const blocks: string[] = [];
      let decided = false;
      while (!decided) {
        const mode = c.next();
        const n = c.runLength();
        blocks.push(`${String(mode)}:${n}`);
        decided = c.record(mode, n === 1 ? 50 : n * (mode === 1 ? 9 : 6), Math.min(n, 8));
      }
      return { blocks, chose: c.current };
    };
    // Split blocks: 1 warm-up and 3 timed steps (the step runner takes split steps one by one).
    expect(blocksOf(true)).toEqual({ blocks: ['1:1', '1:1', '1:1', '1:8', 'split:1', 'split:1', 'split:1', 'split:3', ...[1, 2].flatMap(() => ['1:1', '1:8', 'split:1', 'split:3'])], chose: 'split' });
    // A probe of a fixed 2 threads? None: a fixed setting never probes.
    expect(new ThreadChooser(2, 2, false, () => 0, 8).runLength()).toBe(Infinity);
  });
});

describe('ThreadChooser with split halves', () => {
  const run = (c: ThreadChooser, ms: Record<string, number>, steps: number) => {
    const seen: string[] = [];
    for (let i = 0; i < steps; i++) {
      const m = c.next();
      seen.push(String(m));
      c.record(m, ms[String(m)]);
    }
    return seen;
  };
  it('probes 1 thread and split halves in blocks, not 2 intra-op threads, and keeps split halves at >= 15% over 1 thread', () => {
    const c = new ThreadChooser('auto', 2, true, () => 0);
    const seen = run(c, { '1': 10, '2': 5, split: 6 }, 28);
    expect(seen.join()).toBe(['1', 'split', '1', 'split', '1', 'split'].flatMap((m, i) => Array<string>(i < 2 ? 6 : 4).fill(m)).join());
    expect(c.current).toBe('split');
    expect(c.describe()).toBe('split halves on 2 threads (auto; median ms per step: 1 thread 10.0, split halves on 2 threads 6.00)');
    const d = new ThreadChooser('auto', 2, true, () => 0);
    run(d, { '1': 10, '2': 6, split: 9.5 }, 28);
    expect(d.current).toBe(1);
    expect(new ThreadChooser('auto', 2, false, () => 0).next()).toBe(1);
  });
  it('takes split out mid-probe when it cannot run and keeps 1 thread; a fixed split falls back to 1 thread', () => {
    const c = new ThreadChooser('auto', 2, true, () => 0);
    const first = run(c, { '1': 10, '2': 8, split: 1 }, 8);
    expect(first).toEqual(['1', '1', '1', '1', '1', '1', 'split', 'split']);
    expect(c.probes('split')).toBe(true);
    c.exclude('split');
    expect(c.probes('split')).toBe(false);
    // The rest of the probe times 1 thread alone; 2 intra-op threads are not timed in split's place.
    const rest = run(c, { '1': 10, '2': 8 }, 24);
    expect(rest).not.toContain('2');
    expect(rest).not.toContain('split');
    expect(c.current).toBe(1);
    expect(c.describe()).toBe('1 thread (auto; median ms per step: 1 thread 10.0)');
    // No more probes: 1 thread is the only candidate left.
    expect(run(c, { '1': 10 }, 50)).toEqual(Array(50).fill('1'));
    const fixed = new ThreadChooser('split', 2, true);
    fixed.exclude('split');
    expect(fixed.next()).toBe(1);
    expect(fixed.describe()).toBe('1 thread');
  });
});
