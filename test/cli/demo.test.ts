/**
 * @file End-to-end: `latentkit demo --quick` writes a report with every section, and every PNG
 * and WAV it references exists next to it.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLatentkit } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('latentkit demo --quick', () => {
  it('writes report.html with every section and the files it references', async () => {
    const out = join(dir, 'report');
    const r = await runLatentkit(['demo', '--quick', '--out', out], { timeoutMs: 110_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    for (const id of ['images', 'audio', 'text', 'crossmodal', 'explorer', 'timing']) expect(html).toContain(`<section id="${id}">`);
    const assets = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => decodeURIComponent(m[1]));
    for (const f of ['images/reconstructions.png', 'images/denoising.png', 'images/vae-samples.png', 'images/latent-scatter.svg', 'audio/speaker-scatter.svg', 'audio/converted.wav', 'audio/source.wav', 'text/ae-scatter.svg', 'explorer/index.html']) {
      expect(assets).toContain(f);
    }
    for (const a of new Set(assets)) expect((await stat(join(out, a))).size, a).toBeGreaterThan(100);
    expect(html).toContain('Linear CKA');
    expect(html).toContain('What was paired');
    // The explorer export: every code set, the image and sentence-AE sets with the model folder that decodes them.
    const listing = JSON.parse(await readFile(join(out, 'explorer', 'sets.json'), 'utf8')) as { sets: { name: string; model: string | null }[] };
    expect(listing.sets.length).toBeGreaterThanOrEqual(5);
    const decodable = listing.sets.filter((s) => s.model !== null).map((s) => s.name);
    expect(decodable).toEqual(expect.arrayContaining(['image (conv AE): held-out images', 'image (VAE): held-out images', 'text (sentence AE): digit sentences']));
    for (const s of listing.sets.filter((x) => x.model !== null)) expect((await stat(join(out, 'explorer', s.model!, 'latentkit.json'))).size).toBeGreaterThan(100);
    const cross = JSON.parse(await readFile(join(out, 'crossmodal.json'), 'utf8'));
    expect(cross.names.length).toBeGreaterThanOrEqual(4);
    // The stage list with times is printed at the end.
    expect(r.stderr).toMatch(/stage\s+time\s+budget[\s\S]*image: conv autoencoder[\s\S]*total/);
    expect(r.stdout).toContain('report.html');
  });
});
