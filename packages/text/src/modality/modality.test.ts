import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, isModalityDescriptor } from '@latentkit/core';
import { sentencesOf } from './codec.js';
import { textModality } from './descriptor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-text-modality-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('textModality', () => {
  it('reads one trimmed sentence per non-blank line (BOM, CRLF) and writes one per line', async () => {
    expect(isModalityDescriptor(textModality)).toBe(true);
    const bytes = new TextEncoder().encode('\uFEFF first line \r\n\n  second\n\t\nthird');
    expect(await textModality.codec.decode(bytes, { name: 's.txt' })).toEqual(['first line', 'second', 'third']);
    const [file] = await textModality.codec.encode(['a b', 'c']);
    expect(new TextDecoder().decode(file.bytes)).toBe('a b\nc\n');
    expect(() => sentencesOf(' \n\n', 'e.txt')).toThrow(EmptyInputError);
    expect(() => sentencesOf(' \n\n', 'e.txt')).toThrow(/e\.txt/);
  });

  it('reads a sentence file as training data, up to a limit', async () => {
    await writeFile(join(dir, 'train.txt'), 'one\ntwo\nthree\n');
    const layout = textModality.datasets[0];
    expect(await layout.detect(join(dir, 'train.txt'))).toBe(true);
    expect(await layout.detect(dir)).toBe(false);
    const data = await layout.load(join(dir, 'train.txt'), { limit: 2 });
    expect(data.samples).toEqual(['one', 'two']);
    expect(data.source).toMatch(/3 sentences/);
  });
});
