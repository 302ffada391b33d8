import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, DecodeError, PathEscapeError } from '@latentkit/core';
import { encodeWav16 } from '../io/write-wav.js';
import { parseCsv } from './csv.js';
import { resolveDataDir } from '@latentkit/core';
import { listFsdd, loadFsdd } from './fsdd.js';
import { listTtsSpeakers, loadTtsSpeakers } from './tts-speakers.js';

const tone = (n: number, rate: number) =>
  encodeWav16({ samples: Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / 3)), sampleRate: rate });

const MANIFEST = [
  'file,voice,engine,item,text,engine_settings,speaker_group,gender,duration_s',
  'va_digit3.wav,va,flite,digit3,three,voice=awb,group-a,M,0.100',
  'va_sent13.wav,va,flite,sent13,"Can you pass me the salt, please?",voice=awb,group-a,M,0.200',
  'vb_digit3.wav,vb,espeak-ng,digit3,three,"-v en+f1 -s 150 -p 50",group-b,F,0.100',
].join('\r\n');

describe('datasets (fake data folder)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'latentkit-data-'));
    const rec = join(root, 'fsdd', 'recordings');
    await mkdir(rec, { recursive: true });
    for (const speaker of ['alice', 'bob']) {
      for (const digit of [0, 7]) {
        for (const index of [0, 4, 5, 49]) await writeFile(join(rec, `${digit}_${speaker}_${index}.wav`), tone(400, 8000));
      }
    }
    await writeFile(join(rec, 'README.txt'), 'not a recording');
    const tts = join(root, 'tts-speakers');
    await mkdir(tts, { recursive: true });
    await writeFile(join(tts, 'manifest.csv'), MANIFEST);
    await writeFile(join(tts, 'va_digit3.wav'), tone(1600, 16000));
    await writeFile(join(tts, 'va_sent13.wav'), tone(3200, 16000));
    await writeFile(join(tts, 'vb_digit3.wav'), tone(1600, 16000));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists FSDD with speaker, digit, index, text and the 0-4 / 5-49 split', async () => {
    const all = await listFsdd({ dataDir: root });
    expect(all.length).toBe(16);
    expect(all[0]).toEqual({
      path: join(root, 'fsdd', 'recordings', '0_alice_0.wav'),
      speaker: 'alice',
      digit: 0,
      index: 0,
      text: 'zero',
      split: 'test',
    });
    expect(all.map((i) => i.index).slice(0, 4)).toEqual([0, 4, 5, 49]); // numeric, not string, order
    const test = await listFsdd({ dataDir: root, split: 'test' });
    expect(test.every((i) => i.index <= 4)).toBe(true);
    expect(test.length).toBe(8);
    const train = await listFsdd({ dataDir: root, split: 'train', speakers: ['bob'], digits: [7] });
    expect(train.map((i) => [i.speaker, i.digit, i.index, i.text])).toEqual([
      ['bob', 7, 5, 'seven'],
      ['bob', 7, 49, 'seven'],
    ]);
    await expect(listFsdd({ dataDir: root, speakers: ['carol'] })).rejects.toThrow(/unknown speaker "carol"; .* alice, bob/);
  });

  it('loads FSDD clips, resampled on request', async () => {
    const items = await loadFsdd({ dataDir: root, speakers: ['alice'], limit: 3, sampleRate: 16000 });
    expect(items.length).toBe(3);
    expect(items[0].clip.sampleRate).toBe(16000);
    expect(items[0].clip.samples.length).toBe(800);
  });

  it('lists tts-speakers from the manifest, quoted commas included', async () => {
    const all = await listTtsSpeakers({ dataDir: root });
    expect(all.length).toBe(3);
    expect(all[1]).toMatchObject({ speaker: 'va', item: 'sent13', kind: 'sentence', text: 'Can you pass me the salt, please?', duration: 0.2 });
    expect(all[0]).toMatchObject({ speaker: 'va', item: 'digit3', kind: 'digit', digit: 3, speakerGroup: 'group-a', gender: 'M' });
    expect((await listTtsSpeakers({ dataDir: root, kind: 'digit' })).map((i) => i.speaker)).toEqual(['va', 'vb']);
    expect((await listTtsSpeakers({ dataDir: root, speakers: ['vb'] })).map((i) => i.item)).toEqual(['digit3']);
    const loaded = await loadTtsSpeakers({ dataDir: root, items: ['sent13'] });
    expect(loaded[0].clip.samples.length).toBe(3200);
    expect(loaded[0].clip.sampleRate).toBe(16000);
  });

  it('missing folders give a DatasetError that names the path and hints at LATENTKIT_DATA', async () => {
    const nowhere = join(root, 'nowhere');
    for (const p of [listFsdd({ dataDir: nowhere }), listTtsSpeakers({ dataDir: nowhere })]) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).message).toContain(nowhere);
      expect((err as DatasetError).hint).toContain('LATENTKIT_DATA');
    }
  });

  it('finds the data folder through LATENTKIT_DATA', async () => {
    const saved = process.env.LATENTKIT_DATA;
    process.env.LATENTKIT_DATA = root;
    try {
      expect(resolveDataDir()).toBe(root);
      expect((await listFsdd()).length).toBe(16);
    } finally {
      if (saved === undefined) delete process.env.LATENTKIT_DATA;
      else process.env.LATENTKIT_DATA = saved;
    }
    expect(resolveDataDir('/x/y')).toBe('/x/y');
  });

  it('refuses malformed manifests and file names that leave the folder', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'latentkit-data-'));
    try {
      await mkdir(join(bad, 'tts-speakers'));
      const write = (text: string) => writeFile(join(bad, 'tts-speakers', 'manifest.csv'), text);
      await write('file,voice\nx.wav,va\n');
      await expect(listTtsSpeakers({ dataDir: bad })).rejects.toThrow(/missing column "engine"/);
      await write(`${MANIFEST.split('\r\n')[0]}\n../../etc/passwd,va,e,digit1,one,s,g,M,1\n`);
      await expect(listTtsSpeakers({ dataDir: bad })).rejects.toBeInstanceOf(PathEscapeError);
      await write(`${MANIFEST.split('\r\n')[0]}\nmissing.wav,va,e,digit1,one,s,g,M,1\n`);
      await expect(loadTtsSpeakers({ dataDir: bad })).rejects.toBeInstanceOf(DecodeError);
      await rm(join(bad, 'tts-speakers', 'manifest.csv'));
      await expect(listTtsSpeakers({ dataDir: bad })).rejects.toBeInstanceOf(DatasetError);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('parses CSV edge cases', () => {
    const t = parseCsv('a,b\n"x ""q""",\n\n"multi\nline",2', 'f.csv', ['a']);
    expect(t.rows).toEqual([
      { a: 'x "q"', b: '' },
      { a: 'multi\nline', b: '2' },
    ]);
    expect(() => parseCsv('a,b\n1', 'f.csv')).toThrow(/row 1 has 1 fields/);
    expect(() => parseCsv('a\n"open', 'f.csv')).toThrow(/unterminated/);
    expect(() => parseCsv('', 'f.csv')).toThrow(DatasetError);
  });
});

// Real data (optional): skipped when the data folder is not there.
const hasFsdd = existsSync(join(resolveDataDir(), 'fsdd', 'recordings'));
describe.skipIf(!hasFsdd)('FSDD integration (needs LATENTKIT_DATA)', () => {
  it('decodes every recording of one speaker', async () => {
    const items = await loadFsdd({ speakers: ['jackson'] });
    expect(items.length).toBe(500);
    for (const item of items) {
      expect(item.clip.sampleRate).toBe(8000);
      expect(item.clip.samples.length / 8000).toBeGreaterThan(0.1);
      expect(item.clip.samples.length / 8000).toBeLessThan(2.5);
    }
    expect(items.filter((i) => i.split === 'test').length).toBe(50);
  });
});
