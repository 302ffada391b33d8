import { describe, expect, it } from 'vitest';
import { DecodeError } from '@latentkit/core';
import { decodeLabelIndex, encodeLabelIndex, indexLabels } from './label-index.js';

describe('labels.bin', () => {
  it('round-trips labels through a string table and Uint16 indices', () => {
    const labels = ['7', '', 'zwölf', '7', 'a "quoted" one', ''];
    const li = indexLabels(labels);
    expect(li.table).toEqual(['7', '', 'zwölf', 'a "quoted" one']);
    expect(li.index).toBeInstanceOf(Uint16Array);
    const bytes = encodeLabelIndex(li);
    const back = decodeLabelIndex(bytes, labels.length);
    expect(Array.from(back.index, (i) => back.table[i])).toEqual(labels);
  });

  it('switches to Uint32 indices past 65,536 distinct labels', () => {
    const labels = Array.from({ length: 70_000 }, (_, i) => `l${i % 66_000}`);
    const back = decodeLabelIndex(encodeLabelIndex(indexLabels(labels)), labels.length);
    expect(back.index).toBeInstanceOf(Uint32Array);
    expect(back.table[back.index[69_999]]).toBe('l3999');
  });

  it('rejects a wrong row count, a truncated file and an index past the table', () => {
    const bytes = encodeLabelIndex(indexLabels(['a', 'b', 'a']));
    expect(() => decodeLabelIndex(bytes, 4)).toThrow(DecodeError);
    expect(() => decodeLabelIndex(bytes.subarray(0, bytes.length - 1), 3)).toThrow(/expected/);
    const bad = bytes.slice();
    bad[bad.length - 2] = 9; // last row's index -> 9 of 2 labels
    expect(() => decodeLabelIndex(bad, 3)).toThrow(/names label 9/);
    expect(() => decodeLabelIndex(new Uint8Array(16), 0)).toThrow(/magic/);
  });
});
