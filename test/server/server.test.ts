/**
 * @file The HTTP server end to end: a real server on 127.0.0.1 (port 0) with an image, a speech
 * and two text models (a tiny one made here and the shipped one), asked over real HTTP. Each
 * endpoint for each modality, JSON, multipart and raw bodies, codes compared with in-process
 * encoding, and batching invariance: an input's code alone equals its code inside a batch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeNpy, loadModel, stackLatents, type Autoencoder } from '@latentkit/core';
import { createServer, type LatentServer } from '@latentkit/server';
import { b64, close, makeFixtures, postJson, type ServerFixtures } from './fixtures.js';

let dir: string;
let fx: ServerFixtures;
let server: LatentServer;
let url: string;
const local: Record<string, Autoencoder<any, any>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-server-'));
  fx = await makeFixtures(dir);
  const { SentenceAutoencoder } = await import('@latentkit/text');
  server = await createServer({
    models: [{ dir: fx.imageDir }, { dir: fx.audioDir }, { dir: fx.textDir }, { id: 'shipped', model: await SentenceAutoencoder.loadDefault() }],
    // A wait long enough that concurrent requests from one test meet in a batch on a loaded machine.
    batching: { maxBatchRows: 64, maxWaitMs: 20 },
  });
  url = await server.listen();
  local.digits = await loadModel(fx.imageDir);
  local.voices = await loadModel(fx.audioDir);
  local.sentences = await loadModel(fx.textDir);
  local.shipped = await SentenceAutoencoder.loadDefault();
}, 240_000);

afterAll(async () => {
  await server?.close();
  for (const m of Object.values(local)) m.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function imagesFor(pngs: Uint8Array[]) {
  const { readImage } = await import('@latentkit/image');
  return Promise.all(pngs.map((p) => readImage(p, { width: 28, height: 28, channels: 1 })));
}

describe('server basics', () => {
  it('binds 127.0.0.1, reports health, lists models with their modality and parts', async () => {
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const health = (await (await fetch(`${url}/health`)).json()) as any;
    expect(health).toEqual({ status: 'ok', models: ['digits', 'voices', 'sentences', 'shipped'] });
    const { models } = (await (await fetch(`${url}/v1/models`)).json()) as any;
    expect(models.map((m: { id: string; modality: string }) => [m.id, m.modality])).toEqual([
      ['digits', 'image'],
      ['voices', 'audio'],
      ['sentences', 'text'],
      ['shipped', 'text'],
    ]);
    const voices = models[1];
    expect(voices.parts.map((p: { name: string }) => p.name)).toEqual(['speaker', 'content']);
    expect(voices.decodes_rows).toBe(false);
    expect(models[3].default_part).toBe('meaning');
    const one = await fetch(`${url}/v1/models/digits`);
    expect(((await one.json()) as any).kind).toBe('image/conv-ae');
    const missing = await fetch(`${url}/v1/models/nope/encode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs":["x"]}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'LK_UNKNOWN_MODEL', message: expect.stringContaining('digits') });
  });
});

describe('image model', () => {
  it('encodes PNGs sent as JSON base64, multipart and a raw body to the codes of in-process encode', async () => {
    const expected = stackLatents(await local.digits.encode(await imagesFor(fx.pngs)));
    const json = await postJson(`${url}/v1/models/digits/encode`, { inputs: fx.pngs.map(b64) });
    expect(json.status, JSON.stringify(json.json)).toBe(200);
    expect(json.json.shape).toEqual([6, 6]);
    expect(json.json.part).toBe('all');
    expect(close(json.json.codes.flat(), expected.data)).toBe(true);

    const form = new FormData();
    fx.pngs.slice(0, 3).forEach((p, i) => form.append('file', new Blob([p], { type: 'image/png' }), `d${i}.png`));
    const multi = await fetch(`${url}/v1/models/digits/encode`, { method: 'POST', body: form });
    expect(multi.status).toBe(200);
    expect(close(((await multi.json()) as any).codes.flat(), expected.data.subarray(0, 18))).toBe(true);

    const raw = await fetch(`${url}/v1/models/digits/encode?format=npy`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: fx.pngs[4] });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/x-npy');
    const npy = decodeNpy(new Uint8Array(await raw.arrayBuffer()));
    expect(npy.shape).toEqual([1, 6]);
    expect(close(npy.data, expected.data.subarray(24, 30))).toBe(true);
  });

  it('decodes codes into PNGs and reconstructs an image', async () => {
    const codes = [[0.1, -0.2, 0.3, 0, 0.5, -1], [1, 1, 1, 1, 1, 1]];
    const png = await fetch(`${url}/v1/models/digits/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codes: [codes[0]] }) });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 28, 28]);
    // encode's answer posts back to decode as it is.
    const encoded = await postJson(`${url}/v1/models/digits/encode`, { inputs: [b64(fx.pngs[0])] });
    const again = await postJson(`${url}/v1/models/digits/decode?format=json`, encoded.json);
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    expect(again.json.files).toHaveLength(1);
    const both = await postJson(`${url}/v1/models/digits/decode`, { codes });
    expect(both.status).toBe(200);
    expect(both.json.files).toHaveLength(2);
    expect(both.json.files[1].media_type).toBe('image/png');
    // The PNG of a code equals the model's own decode of it.
    const { encodePng } = await import('@latentkit/image');
    const [direct] = await local.digits.decode([{ data: Float32Array.from(codes[1]), shape: [6], modality: 'image', model: 'image/conv-ae' }]);
    expect(both.json.files[1].base64).toBe(b64(await encodePng(direct)));

    const recon = await fetch(`${url}/v1/models/digits/reconstruct`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: fx.pngs[0] });
    expect(recon.status).toBe(200);
    expect(recon.headers.get('content-type')).toBe('image/png');
    const [expected] = await local.digits.reconstruct(await imagesFor([fx.pngs[0]]));
    expect(b64(new Uint8Array(await recon.arrayBuffer()))).toBe(b64(await encodePng(expected)));
  });
});

describe('speech model', () => {
  it('encodes WAVs (part=speaker as a form field), answers whole latents, decodes those and reconstructs', async () => {
    const { readWav } = await import('@latentkit/audio');
    const clips = await Promise.all(fx.wavs.slice(0, 3).map((w) => readWav(w)));
    const expected = await local.voices.encode(clips);
    const form = new FormData();
    form.append('part', 'speaker');
    fx.wavs.slice(0, 3).forEach((w, i) => form.append('file', new Blob([w], { type: 'audio/wav' }), `c${i}.wav`));
    const r = await fetch(`${url}/v1/models/voices/encode`, { method: 'POST', body: form });
    const body = (await r.json()) as any;
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.shape).toEqual([3, fx.speakerDim]);
    expect(close(body.codes.flat(), stackLatents(expected.map((l) => l.parts!.speaker)).data, 1e-4)).toBe(true);

    const latents = await postJson(`${url}/v1/models/voices/encode?format=latents`, { inputs: [b64(fx.wavs[0])] });
    expect(latents.status).toBe(200);
    expect(Object.keys(latents.json.latents[0].parts)).toContain('speaker');
    const wav = await fetch(`${url}/v1/models/voices/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latents: latents.json.latents }) });
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await wav.arrayBuffer()).subarray(0, 4).toString('ascii')).toBe('RIFF');
    // Rows of numbers cannot carry a content code over time: a clear 422, not a crash.
    const rows = await postJson(`${url}/v1/models/voices/decode`, { codes: [[1, 2, 3]] });
    expect(rows.status).toBe(422);
    expect(rows.json.error.code).toBe('LK_ROWS_NOT_DECODABLE');

    const recon = await fetch(`${url}/v1/models/voices/reconstruct`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: fx.wavs[1] });
    expect(recon.status).toBe(200);
    expect(recon.headers.get('content-type')).toBe('audio/wav');
    const back = await readWav(new Uint8Array(await recon.arrayBuffer()));
    expect(back.samples.length).toBeGreaterThan(1000);
  });
});

describe('text models', () => {
  it('encodes sentences as JSON strings and as a text/plain body; the shipped model answers its meaning code by default', async () => {
    const expected = await local.shipped.encode(fx.sentences);
    const r = await postJson(`${url}/v1/models/shipped/encode`, { inputs: fx.sentences });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.part).toBe('meaning');
    expect(close(r.json.codes.flat(), stackLatents(expected.map((l) => l.parts!.meaning)).data, 1e-4)).toBe(true);
    const all = await fetch(`${url}/v1/models/sentences/encode?part=all`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: fx.sentences.slice(0, 3).join('\n') });
    const allBody = (await all.json()) as any;
    expect(all.status).toBe(200);
    const tiny = stackLatents(await local.sentences.encode(fx.sentences.slice(0, 3)));
    expect(allBody.shape).toEqual(tiny.shape);
    expect(close(allBody.codes.flat(), tiny.data, 1e-4)).toBe(true);
    // One JSON string is one sentence: a line break in it is refused, not split.
    const two = await postJson(`${url}/v1/models/sentences/encode`, { inputs: ['one\ntwo'] });
    expect(two.status).toBe(422);
  });

  it('decodes codes into lines of text and reconstructs sentences', async () => {
    const codes = stackLatents(await local.sentences.encode(fx.sentences.slice(0, 2)));
    const d = codes.shape[1];
    const rows = [Array.from(codes.data.subarray(0, d)), Array.from(codes.data.subarray(d))];
    const dec = await fetch(`${url}/v1/models/sentences/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codes: rows }) });
    expect(dec.status).toBe(200);
    expect(dec.headers.get('content-type')).toMatch(/^text\/plain/);
    const expected = await local.sentences.decode(await local.sentences.encode(fx.sentences.slice(0, 2)));
    expect((await dec.text()).split('\n').slice(0, 2)).toEqual(expected);
    const recon = await postJson(`${url}/v1/models/sentences/reconstruct?format=json`, { inputs: fx.sentences.slice(0, 2) });
    expect(recon.status).toBe(200);
    expect(recon.json.outputs).toEqual(await local.sentences.reconstruct(fx.sentences.slice(0, 2)));
  });
});

describe('micro-batching', () => {
  it('gathers concurrent requests into shared batches, and each code equals the code of its input alone', async () => {
    const { readWav } = await import('@latentkit/audio');
    const cases: { id: string; inputs: unknown[]; alone: (i: number) => Promise<Float32Array>; part?: string }[] = [
      { id: 'digits', inputs: fx.pngs.map(b64), alone: async (i) => (await local.digits.encode(await imagesFor([fx.pngs[i]])))[0].data },
      { id: 'voices', part: 'content', inputs: fx.wavs.map(b64), alone: async (i) => (await local.voices.encode([await readWav(fx.wavs[i])]))[0].parts!.contentPooled.data },
      { id: 'shipped', inputs: fx.sentences, alone: async (i) => (await local.shipped.encode([fx.sentences[i]]))[0].parts!.meaning.data },
      { id: 'sentences', part: 'all', inputs: fx.sentences, alone: async (i) => (await local.sentences.encode([fx.sentences[i]]))[0].data },
    ];
    for (const c of cases) {
      const q = c.part ? `?part=${c.part}` : '';
      // Every input as its own request, all at once, twice over (12 concurrent requests).
      const order = [...c.inputs.keys(), ...c.inputs.keys()];
      const answers = await Promise.all(order.map((i) => postJson(`${url}/v1/models/${c.id}/encode${q}`, { inputs: [c.inputs[i]] })));
      const sizes = answers.map((a) => Number(a.headers.get('x-latentkit-batch-rows')));
      expect(Math.max(...sizes), `${c.id}: batch sizes ${sizes.join(',')}`).toBeGreaterThan(1);
      for (const [k, a] of answers.entries()) {
        expect(a.status).toBe(200);
        expect(close(a.json.codes[0], await c.alone(order[k]), 1e-5), `${c.id} input ${order[k]} in a batch of ${sizes[k]}`).toBe(true);
      }
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const count = /latentkit_batch_rows_count\{model="digits",op="encode"\} (\d+)/.exec(metrics);
    const sum = /latentkit_batch_rows_sum\{model="digits",op="encode"\} (\d+)/.exec(metrics);
    expect(Number(sum?.[1])).toBeGreaterThan(Number(count?.[1]));
  });
});

describe('metrics', () => {
  it('exposes requests, latency, batch sizes and tfjs tensors in Prometheus text; tensors stay flat under load', async () => {
    const tensors = async () => Number(/^latentkit_tfjs_tensors (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())![1]);
    await postJson(`${url}/v1/models/digits/encode`, { inputs: [b64(fx.pngs[0])] });
    const before = await tensors();
    await Promise.all(Array.from({ length: 20 }, (_, i) => postJson(`${url}/v1/models/digits/reconstruct?format=json`, { inputs: [b64(fx.pngs[i % 6])] })));
    await Promise.all(Array.from({ length: 20 }, (_, i) => postJson(`${url}/v1/models/sentences/encode`, { inputs: [fx.sentences[i % 6]] })));
    expect(await tensors()).toBe(before);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/latentkit_http_requests_total\{route="\/v1\/models\/:id\/encode",model="digits",status="200"\} \d+/);
    expect(text).toMatch(/latentkit_http_request_duration_seconds_bucket\{le="0.1",route="\/v1\/models\/:id\/reconstruct",model="digits"\} \d+/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });
});
