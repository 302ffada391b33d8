import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { countProgress, formatSeconds, trainingProgress } from './progress.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (d) => (buf += d));
  return { stream, text: () => buf };
}

describe('trainingProgress', () => {
  it('prints one line per epoch when not a terminal, and keeps the last losses', () => {
    const s = sink();
    const p = trainingProgress('image conv-ae', { stream: s.stream, tty: false });
    p.onProgress({ type: 'start', epochs: 2, batchesPerEpoch: 10, startEpoch: 0 });
    p.onProgress({ type: 'batch', epoch: 1, epochs: 2, batch: 5, batches: 10, loss: 0.5, samplesPerSecond: 100, etaSeconds: 3 });
    p.onProgress({ type: 'epoch', epoch: 1, epochs: 2, loss: 0.25, valLoss: 0.3, metrics: { mse: 0.01 }, samplesPerSecond: 120, seconds: 1.5, etaSeconds: 1.5, numTensors: 10 });
    p.onProgress({ type: 'epoch', epoch: 2, epochs: 2, loss: 0.125, valLoss: undefined, metrics: {}, samplesPerSecond: 120, seconds: 1.5, etaSeconds: 0, numTensors: 10 });
    p.onProgress({ type: 'end', epochs: 2, seconds: 3 });
    p.stop();
    const lines = s.text().trim().split('\n');
    expect(lines).toEqual([
      'image conv-ae: training 2 epochs of 10 batches',
      'image conv-ae: epoch 1/2 loss 0.2500 val 0.3000 mse 0.01000 (1.5s, 120 samples/s, ETA 1.5s)',
      'image conv-ae: epoch 2/2 loss 0.1250 (1.5s, 120 samples/s, ETA 0.0s)',
      'image conv-ae: 2 epochs in 3.0s',
    ]);
    expect(p.completed).toEqual({ epochs: 2, loss: 0.125, valLoss: undefined });
  });

  it('says when training left onnxruntime, which share of an epoch stepped on tfjs, and how steps use the cores', () => {
    const s = sink();
    const p = trainingProgress('text', { stream: s.stream, tty: false });
    p.onProgress({ type: 'engine', engine: 'onnxruntime' });
    p.onProgress({ type: 'engine', engine: 'onnxruntime', note: '2 of 6 batches per epoch on tfjs (shape x:float32[2,2] and 1 more: more than 4 batch shapes in one fit)' });
    p.onProgress({ type: 'engine', engine: 'onnxruntime', cores: 'split halves on 2 threads (auto; median ms per step: 1 thread 9.20, 2 threads 11.4, split halves on 2 threads 6.10)' });
    p.onProgress({ type: 'engine', engine: 'tfjs', reason: 'optimizer Adamax (compiled: adam, sgd, momentum, rmsprop)' });
    p.stop();
    expect(s.text().trim().split('\n')).toEqual([
      'text: training on onnxruntime (2 of 6 batches per epoch on tfjs (shape x:float32[2,2] and 1 more: more than 4 batch shapes in one fit))',
      'text: onnxruntime steps on split halves on 2 threads (auto; median ms per step: 1 thread 9.20, 2 threads 11.4, split halves on 2 threads 6.10)',
      'text: training on tfjs, not onnxruntime: optimizer Adamax (compiled: adam, sgd, momentum, rmsprop)',
    ]);
  });

  it('draws a bar with ETA on a terminal and prints nothing when quiet', () => {
    const s = sink();
    Object.assign(s.stream, { isTTY: true, columns: 120 });
    const p = trainingProgress('t', { stream: s.stream, tty: true });
    p.onProgress({ type: 'start', epochs: 1, batchesPerEpoch: 4, startEpoch: 0 });
    p.onProgress({ type: 'batch', epoch: 1, epochs: 1, batch: 2, batches: 4, loss: 0.5, samplesPerSecond: 10, etaSeconds: 12 });
    p.stop();
    expect(s.text()).toMatch(/t \[.*\] 50% \| epoch 1\/1 \| loss 0\.5000 \| 10\/s \| ETA 12s/);
    const q = sink();
    const quiet = trainingProgress('t', { stream: q.stream, quiet: true });
    quiet.onProgress({ type: 'start', epochs: 1, batchesPerEpoch: 4, startEpoch: 0 });
    quiet.onProgress({ type: 'epoch', epoch: 1, epochs: 1, loss: 1, valLoss: undefined, metrics: {}, samplesPerSecond: 1, seconds: 1, etaSeconds: 0, numTensors: 0 });
    expect(q.text()).toBe('');
    expect(quiet.completed.epochs).toBe(1);
  });
});

describe('countProgress and formatSeconds', () => {
  it('stays silent for short loops without a terminal', () => {
    const s = sink();
    const p = countProgress('encoding', 3, { stream: s.stream, tty: false });
    p.tick(3);
    p.stop();
    expect(s.text()).toBe('');
  });

  it('formats durations', () => {
    expect(formatSeconds(0.42)).toBe('0.4s');
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(undefined)).toBe('?');
  });
});
