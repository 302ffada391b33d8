import { describe, expect, it } from 'vitest';
import { StageRunner } from './stages.js';

describe('StageRunner', () => {
  it('announces, times and lists stages with their budgets, recording failures', async () => {
    const lines: string[] = [];
    const s = new StageRunner((m) => lines.push(m));
    expect(await s.run('first', 2, async () => 42)).toBe(42);
    s.skip('second', 'no data');
    await expect(s.run('third', 1, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(lines).toEqual(['[1] first (budget 2.0s)', '[-] second: skipped (no data)', '[3] third (budget 1.0s)']);
    expect(s.records.map((r) => r.status)).toEqual(['ok', 'skipped', 'failed']);
    const table = s.table().split('\n');
    expect(table[0]).toMatch(/^stage\s+time\s+budget$/);
    expect(table[1]).toMatch(/^first\s+\d\.\ds\s+2\.0s$/);
    expect(table[3]).toMatch(/^third .* failed: boom$/);
    expect(table[4]).toMatch(/^total\s+\S+\s+3\.0s$/);
  });
});
