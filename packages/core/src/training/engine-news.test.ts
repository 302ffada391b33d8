import { describe, expect, it } from 'vitest';
import { engineNews } from './engine-news.js';

describe('engineNews', () => {
  it('says a fallback first, then the share on tfjs, then the cores, and nothing for the plain start event', () => {
    expect(engineNews({ type: 'engine', engine: 'tfjs', reason: 'optimizer Adamax' })).toBe('training on tfjs, not onnxruntime: optimizer Adamax');
    expect(engineNews({ type: 'engine', engine: 'onnxruntime', note: '1 of 43 batches per epoch on tfjs' })).toBe('training on onnxruntime (1 of 43 batches per epoch on tfjs)');
    expect(engineNews({ type: 'engine', engine: 'onnxruntime', cores: '1 thread (auto)' })).toBe('onnxruntime steps on 1 thread (auto)');
    expect(engineNews({ type: 'engine', engine: 'onnxruntime' })).toBeUndefined();
  });
});
