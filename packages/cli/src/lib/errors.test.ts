import { describe, expect, it } from 'vitest';
import { ChecksumMismatchError, DecodeError, ModelFormatError, PathEscapeError, ShapeMismatchError } from '@latentkit/core';
import { describeError, formatError, UsageError } from './errors.js';

describe('describeError', () => {
  it('gives the most specific hint for a LatentkitError subclass', () => {
    expect(describeError(new ChecksumMismatchError('weights.bin changed')).hint).toMatch(/changed or damaged/);
    expect(describeError(new ModelFormatError('bad json')).hint).toMatch(/--model/);
    expect(describeError(new PathEscapeError('x leads out')).code).toBe('LK_PATH_ESCAPE');
  });

  it("prefers the error's own hint and names its file", () => {
    const d = describeError(new DecodeError('not a PNG', { file: 'a.png', hint: 'Re-export it.' }));
    expect(d.message).toBe('a.png: not a PNG');
    expect(d.hint).toBe('Re-export it.');
    expect(d.exitCode).toBe(1);
  });

  it('uses exit code 2 for usage mistakes and folds messages onto one line', () => {
    const d = describeError(new UsageError('bad\n  option'));
    expect(d.exitCode).toBe(2);
    expect(d.message).toBe('bad option');
  });

  it('maps Node file errors and unknown errors', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: 'x.wav' });
    expect(describeError(enoent).message).toBe('x.wav: no such file or folder');
    expect(describeError(new TypeError('boom')).message).toBe('unexpected error: boom');
    expect(describeError('text').code).toBe('LK_INTERNAL');
  });
});

describe('formatError', () => {
  it('prints exactly two lines without --verbose, and the stack with it', () => {
    const e = new ShapeMismatchError('image is 3x3, model takes 28x28');
    const text = formatError(e);
    expect(text.trimEnd().split('\n')).toEqual(['latentkit: image is 3x3, model takes 28x28', expect.stringMatching(/^hint: /)]);
    expect(formatError(e, true)).toMatch(/ShapeMismatchError: image is 3x3[\s\S]*at /);
  });
});
