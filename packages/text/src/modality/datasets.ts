/**
 * @file Text training data the descriptor recognises: a text file with one sentence per line.
 * Node-only.
 */
import { stat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DatasetError, InputTooLargeError, type DatasetLayout, type DatasetLoadOptions, type LoadedDataset } from '@latentkit/core';
import { decodeText } from '../io/text-lines.js';
import { MAX_TEXT_BYTES, sentencesOf } from './codec.js';

/** A UTF-8 text file, one sentence per line (blank lines skipped). */
export const textLinesLayout: DatasetLayout<string> = {
  name: 'text-lines',
  describe: 'a text file, one sentence per line',
  labels: [],
  detect: async (path) => (await stat(path).catch(() => undefined))?.isFile() === true,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<string>> {
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) throw new DatasetError(`${path}: no such text file.`, { file: path });
    if (s.size > MAX_TEXT_BYTES) throw new InputTooLargeError(`${path}: ${s.size} bytes, more than the ${MAX_TEXT_BYTES} a sentence file may have.`, { file: path });
    const all = sentencesOf(decodeText(new Uint8Array(await readFile(path)), path).text, path);
    const sentences = options.limit !== undefined ? all.slice(0, options.limit) : all;
    return { samples: sentences, labels: {}, source: `${basename(path)} (${all.length} sentences)`, layout: 'text-lines' };
  },
};
