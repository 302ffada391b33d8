import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { readWav } from './read-wav.js';
import { encodeWav16, writeWav } from './write-wav.js';

describe('encodeWav16 / writeWav', () => {
  it('writes a canonical 44-byte header', () => {
    const bytes = encodeWav16({ samples: new Float32Array(10), sampleRate: 22050 });
    const v = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(v.getUint32(4, true)).toBe(36 + 20);
    expect(new TextDecoder().decode(bytes.subarray(8, 16))).toBe('WAVEfmt ');
    expect([v.getUint16(20, true), v.getUint16(22, true), v.getUint32(24, true), v.getUint32(28, true)]).toEqual([1, 1, 22050, 44100]);
    expect([v.getUint16(32, true), v.getUint16(34, true), v.getUint32(40, true)]).toEqual([2, 16, 20]);
  });

  it('clips, rounds, and maps NaN to 0', () => {
    const bytes = encodeWav16({ samples: new Float32Array([2, -3, 0.5, -0.5, NaN, 1e-5, -1e-5]), sampleRate: 8000 });
    const v = new DataView(bytes.buffer, 44);
    expect(Array.from({ length: 7 }, (_, i) => v.getInt16(2 * i, true))).toEqual([32767, -32768, 16384, -16384, 0, 0, 0]);
  });

  it('writes atomically and reads back identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latentkit-wav-'));
    try {
      // Already on the 16-bit grid (negative steps are 1/32768, positive 1/32767), so nothing is lost.
      const samples = Float32Array.from({ length: 1000 }, (_, i) => {
        const s = Math.sin(i / 7);
        return s < 0 ? Math.round(s * 32768) / 32768 : Math.round(s * 32767) / 32767;
      });
      const path = join(dir, 'out.wav');
      await writeWav(path, { samples, sampleRate: 16000 });
      expect(await readdir(dir)).toEqual(['out.wav']); // no temporary left behind
      const clip = await readWav(path);
      expect(clip.sampleRate).toBe(16000);
      expect(clip.samples).toEqual(samples);
      expect(encodeWav16(clip)).toEqual(new Uint8Array(await readFile(path)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad sample rate', () => {
    expect(() => encodeWav16({ samples: new Float32Array(1), sampleRate: 0 })).toThrow(InvalidArgumentError);
  });
});
