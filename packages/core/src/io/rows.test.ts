import { describe, expect, it } from 'vitest';
import { DatasetError, DecodeError, ShapeMismatchError } from '../errors/errors.js';
import { formatCsv, parseCsvRecords } from './csv.js';
import { formatRowsCsv, parseRowsCsv, rowsManifestPath } from './rows.js';

describe('CSV', () => {
  it('round-trips quotes, commas, line breaks and empty fields', () => {
    const records = [
      ['a', 'say "hi", then\nleave', ''],
      ['', 'x', 'ünï'],
    ];
    const text = formatCsv(['p', 'q', 'r'], records);
    expect(text).toBe('p,q,r\na,"say ""hi"", then\nleave",\n,x,ünï\n');
    expect(parseCsvRecords(text, 'f.csv')).toEqual({ header: ['p', 'q', 'r'], records });
  });

  it('reads CRLF, CR and a missing final line end, and skips blank lines', () => {
    expect(parseCsvRecords('a,b\r\n1,2\r\n\r\n3,4\r5,6', 'f.csv').records).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('names the problem: unterminated quote (with its line), field count, missing column', () => {
    expect(() => parseCsvRecords('a\n1\n"open\nmore', 'f.csv')).toThrow(/line 3/);
    expect(() => parseCsvRecords('a,b\n1', 'f.csv')).toThrow(DatasetError);
    expect(() => parseCsvRecords('a,b\n1,2', 'f.csv', ['c'])).toThrow(/missing column "c"/);
    expect(() => parseCsvRecords('a\n"x', 'f.csv', [], DecodeError)).toThrow(DecodeError);
  });
});

describe('row manifests', () => {
  it('writes and reads rows in order, with text and extra columns', () => {
    const text = formatRowsCsv([
      { source: 'digits/3/a.png', label: '3' },
      { source: 'lines.txt:2', text: 'A man, a plan.', extra: { speaker: 'jo' } },
    ]);
    expect(text).toBe('row,source,label,text,speaker\n0,digits/3/a.png,3,,\n1,lines.txt:2,,"A man, a plan.",jo\n');
    const rows = parseRowsCsv(text, { expectedRows: 2 });
    expect(rows.length).toBe(2);
    expect(rows.source).toEqual(['digits/3/a.png', 'lines.txt:2']);
    expect(rows.label).toEqual(['3', '']);
    expect(rows.text).toEqual(['', 'A man, a plan.']);
    expect(rows.columns.speaker).toEqual(['', 'jo']);
  });

  it('writes the line column only when a row has a line, and reads it back as numbers', () => {
    const text = formatRowsCsv([
      { source: 's.txt:1', text: 'one', line: 1 },
      { source: 'a.png' },
    ]);
    expect(text).toBe('row,source,label,text,line\n0,s.txt:1,,one,1\n1,a.png,,,\n');
    expect(parseRowsCsv(text).line).toEqual([1, undefined]);
    expect(formatRowsCsv([{ source: 'a.png' }])).toBe('row,source,label\n0,a.png,\n');
    expect(parseRowsCsv('row,source\n0,a\n').line).toBeUndefined();
    expect(() => parseRowsCsv('row,source,line\n0,a,0\n')).toThrow(/line "0"/);
    expect(() => parseRowsCsv('row,source,line\n0,a,2.5\n')).toThrow(DecodeError);
    expect(() => formatRowsCsv([{ source: 'a', extra: { line: '3' } }])).toThrow(DecodeError);
  });

  it('gives empty labels and no text column when the manifest has none', () => {
    const rows = parseRowsCsv('row,source\n0,a.wav\n');
    expect(rows.label).toEqual(['']);
    expect(rows.text).toBeUndefined();
  });

  it('refuses rows out of sequence, a wrong count, missing and repeated columns', () => {
    expect(() => parseRowsCsv('row,source\n0,a\n2,b\n')).toThrow(DecodeError);
    expect(() => parseRowsCsv('row,source\n00,a\n')).toThrow(/row "00"/);
    expect(() => parseRowsCsv('row,source\n0,a\n', { expectedRows: 3 })).toThrow(ShapeMismatchError);
    expect(() => parseRowsCsv('row,label\n0,a\n')).toThrow(DecodeError);
    expect(() => parseRowsCsv('row,source,source\n0,a,b\n')).toThrow(/twice/);
    expect(() => formatRowsCsv([{ source: 'a', extra: { label: 'x' } }])).toThrow(DecodeError);
  });

  it('names the manifest beside a code file', () => {
    expect(rowsManifestPath('out/mnist.npy')).toBe('out/mnist.rows.csv');
    expect(rowsManifestPath('codes.json')).toBe('codes.rows.csv');
    expect(rowsManifestPath('codes.bin')).toBe('codes.bin.rows.csv');
  });
});
