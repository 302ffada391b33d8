import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from '@latentkit/core';
import { encodeWav16 } from '../io/write-wav.js';
import { fsddLayout, wavFolderLayout } from '../modality/datasets.js';

// A tenth of a second of tone: layouts read names and headers, not speech.
const tone = (rate = 8000) => encodeWav16({ samples: Float32Array.from({ length: rate / 10 }, (_, i) => 0.3 * Math.sin(i / 3)), sampleRate: rate });

let root: string;
async function folder(name: string, files: readonly string[], extra: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  for (const f of files) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), tone());
  }
  for (const [f, text] of Object.entries(extra)) await writeFile(join(dir, f), text);
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lk-speaker-labels-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('speaker labels from the layout of a WAV folder', () => {
  it('reads FSDD file names (digit_speaker_take.wav): speaker and digit', async () => {
    const dir = await folder('fsdd-names', ['7_jackson_3.wav', '2_jackson_10.wav', '7_theo_3.wav', '0_theo_4.wav']);
    const data = await wavFolderLayout.load(dir);
    // listFiles sorts numerically by name: 0_theo, 2_jackson, 7_jackson, 7_theo.
    expect(data.labels.speaker.values.map((v) => data.labels.speaker.names[v])).toEqual(['theo', 'jackson', 'jackson', 'theo']);
    expect(data.labels.content.values.map((v) => data.labels.content.names[v])).toEqual(['0', '2', '7', '7']);
    expect(data.facts?.speakerLabels).toMatch(/file names \(digit_speaker_take/);
    expect(data.source).toContain('2 speakers');
  });

  it('reads tts-speakers file names (voice_item.wav) without its manifest', async () => {
    const dir = await folder('tts-names', ['esp-f1_digit3.wav', 'esp-f1_sent12.wav', 'flite-awb_digit3.wav', 'flite-awb_sent01.wav', 'fest-slt_sent01.wav']);
    const data = await wavFolderLayout.load(dir);
    const names = data.labels.speaker.values.map((v) => data.labels.speaker.names[v]);
    expect(names).toEqual(['esp-f1', 'esp-f1', 'fest-slt', 'flite-awb', 'flite-awb']);
    expect(data.facts?.speakerLabels).toMatch(/voice_item\.wav/);
  });

  it('reads one folder per speaker (its first folder level), whatever the file names', async () => {
    const dir = await folder('per-speaker', ['ann/a.wav', 'ann/b_1.wav', 'bob/x.wav', 'bob/session2/y.wav', 'cid/7_theo_1.wav']);
    const data = await wavFolderLayout.load(dir);
    // Folders sort before files within bob/.
    expect(data.labels.speaker.values.map((v) => data.labels.speaker.names[v])).toEqual(['ann', 'ann', 'bob', 'bob', 'cid']);
    // A WAV beside the speaker folders leaves no folder labels (and the names tell none).
    await writeFile(join(dir, 'loose.wav'), tone());
    expect((await wavFolderLayout.load(dir)).labels).toEqual({});
    expect(data.facts?.speakerLabels).toMatch(/folder names/);
  });

  it('reads a file,speaker CSV manifest (other columns allowed), before folders and names', async () => {
    const files = ['s1/7_jackson_1.wav', 's1/7_jackson_2.wav', 's2/7_theo_1.wav'];
    const dir = await folder('manifest', files, { 'speakers.csv': 'file,speaker,note\ns1/7_jackson_1.wav,alice,x\ns1/7_jackson_2.wav,carol,\n"s2/7_theo_1.wav",alice,y\n' });
    const data = await wavFolderLayout.load(dir);
    expect(data.labels.speaker.values.map((v) => data.labels.speaker.names[v])).toEqual(['alice', 'carol', 'alice']);
    expect(data.facts?.speakerLabels).toBe('the manifest speakers.csv');
  });

  it('refuses a manifest that leaves a WAV out, leaves the folder, or names a file twice', async () => {
    const bad = async (name: string, csv: string) => {
      const dir = await folder(name, ['a/1.wav', 'b/2.wav'], { 'manifest.csv': csv });
      return wavFolderLayout.load(dir).catch((e: unknown) => e);
    };
    const missing = await bad('m-missing', 'file,speaker\na/1.wav,ann\n');
    expect(missing).toBeInstanceOf(DatasetError);
    expect((missing as Error).message).toMatch(/gives no speaker for 'b\/2\.wav'/);
    expect(await bad('m-escape', 'file,speaker\na/1.wav,ann\n../x.wav,bob\nb/2.wav,bob\n')).toBeInstanceOf(DatasetError);
    expect(((await bad('m-twice', 'file,speaker\na/1.wav,ann\na/1.wav,bob\nb/2.wav,bob\n')) as Error).message).toMatch(/listed twice/);
    expect(((await bad('m-empty', 'file,speaker\na/1.wav,\nb/2.wav,bob\n')) as Error).message).toMatch(/empty speaker/);
  });

  it('a CSV without file and speaker columns is not a manifest, and names that do not tell speakers apart give no labels', async () => {
    const dir = await folder('no-labels', ['clip_001.wav', 'clip_002.wav', 'clip_003.wav'], { 'labels.csv': 'name,gender\nx,M\n' });
    const data = await wavFolderLayout.load(dir);
    expect(data.labels).toEqual({});
    expect(data.facts?.speakerLabels).toBeUndefined();
    // Every "speaker" with one clip: the names are just file names.
    const unique = await wavFolderLayout.load(await folder('unique', ['ann_1.wav', 'bob_1.wav', 'cid_1.wav']));
    expect(unique.labels).toEqual({});
  });

  it('a limit keeps clips of every speaker (FSDD is sorted by speaker)', async () => {
    const files = ['alice', 'bob', 'carol'].flatMap((s) => [0, 5, 6, 7].flatMap((take) => [`0_${s}_${take}.wav`, `1_${s}_${take}.wav`]));
    const dir = await folder('fsdd-limit', files.map((f) => `fsdd/recordings/${f}`));
    const data = await fsddLayout.load(dir, { limit: 7 });
    const names = data.labels.speaker.values.map((v) => data.labels.speaker.names[v]);
    expect(names).toHaveLength(7);
    expect(new Set(names)).toEqual(new Set(['alice', 'bob', 'carol']));
    // Every speaker and digit once (6 groups) before any second take: alice says 0 twice.
    const groups = names.map((n, i) => `${n}/${data.labels.content.values[i]}`);
    expect(new Set(groups).size).toBe(6);
    expect(groups.filter((g) => g === 'alice/0')).toHaveLength(2);
    expect(data.facts?.speakerLabels).toMatch(/file names/);
    const flat = await wavFolderLayout.load(join(dir, 'fsdd', 'recordings'), { limit: 3 });
    expect(new Set(flat.labels.speaker.values.map((v) => flat.labels.speaker.names[v]))).toEqual(new Set(['alice', 'bob', 'carol']));
  });
});
