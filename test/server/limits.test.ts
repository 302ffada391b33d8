/**
 * @file The server under bad and heavy requests, over real HTTP on 127.0.0.1: every limit
 * answers its status with the limit's name (413 for bytes, 422 for pixels, seconds, characters
 * and inputs), malformed bodies get 4xx with a clear message, a slow request 503, and the server
 * stays healthy throughout (load past the bounds: serve-cli.test.ts, with the server in a child).
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createServer, type LatentServer } from '@latentkit/server';
import { b64, makeFixtures, post, postJson, type ServerFixtures } from './fixtures.js';

let dir: string;
let fx: ServerFixtures;
let server: LatentServer;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-server-limits-'));
  fx = await makeFixtures(dir);
  server = await createServer({
    models: [{ dir: fx.imageDir }, { dir: fx.audioDir }, { dir: fx.textDir }],
    limits: { maxBodyBytes: 200_000, maxPixels: 250_000, maxSeconds: 2, maxChars: 40, maxItems: 8 },
  });
  url = await server.listen();
}, 240_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends raw bytes with a content type. */
const send = (path: string, body: Uint8Array | string, type: string) => post(`${url}${path}`, body, type);

describe('limits', () => {
  it('answers 413 naming maxBodyBytes for a large body, JSON or multipart', async () => {
    const big = new Uint8Array(300_000);
    const raw = await send('/v1/models/digits/encode', big, 'image/png');
    expect(raw.status).toBe(413);
    expect(raw.json.error).toMatchObject({ code: 'LK_BODY_TOO_LARGE', limit: 'maxBodyBytes', max: 200_000 });
    const json = await postJson(`${url}/v1/models/digits/encode`, { inputs: [b64(big)] });
    expect(json.status).toBe(413);
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append('file', new Blob([new Uint8Array(90_000)]), `f${i}.png`);
    const multi = await fetch(`${url}/v1/models/digits/encode`, { method: 'POST', body: form });
    expect(multi.status).toBe(413);
    expect(((await multi.json()) as any).error.limit).toBe('maxBodyBytes');
  });

  it('answers 422 naming maxPixels, maxSeconds, maxChars and maxItems, checked before decoding', async () => {
    const png = await sharp({ create: { width: 600, height: 500, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const pixels = await send('/v1/models/digits/encode', png, 'image/png');
    expect(pixels.status).toBe(422);
    expect(pixels.json.error).toMatchObject({ code: 'LK_INPUT_LIMIT', limit: 'maxPixels', max: 250_000, actual: 300_000 });
    const { encodeWav16 } = await import('@latentkit/audio');
    const long = encodeWav16({ samples: new Float32Array(16000 * 3), sampleRate: 16000 });
    // Checked from the header's sizes before any sample is decoded (decodeWav).
    const seconds = await send('/v1/models/voices/encode', long, 'audio/wav');
    expect(seconds.status).toBe(422);
    expect(seconds.json.error).toMatchObject({ limit: 'maxSeconds', max: 2, actual: 3 });
    const chars = await postJson(`${url}/v1/models/sentences/encode`, { inputs: ['short', 'x'.repeat(41)] });
    expect(chars.status).toBe(422);
    expect(chars.json.error).toMatchObject({ limit: 'maxChars', max: 40, actual: 41 });
    const items = await postJson(`${url}/v1/models/sentences/encode`, { inputs: Array.from({ length: 9 }, (_, i) => `sentence ${i}`) });
    expect(items.status).toBe(422);
    expect(items.json.error).toMatchObject({ limit: 'maxItems', max: 8, actual: 9 });
    const lines = await send('/v1/models/sentences/encode', Array.from({ length: 9 }, (_, i) => `line ${i}`).join('\n'), 'text/plain');
    expect(lines.json.error).toMatchObject({ limit: 'maxItems', actual: 9 });
    const codes = await postJson(`${url}/v1/models/sentences/decode`, { codes: Array.from({ length: 9 }, () => [0]) });
    expect(codes.json.error).toMatchObject({ limit: 'maxItems' });
  });
});

describe('malformed requests', () => {
  it('get a 4xx with a clear message, never a crash', async () => {
    const cases: [string, Promise<{ status: number; json: any }>, number, RegExp | string][] = [
      ['invalid JSON', send('/v1/models/digits/encode', '{"inputs": [', 'application/json'), 400, /JSON/i],
      ['inputs not a list', postJson(`${url}/v1/models/digits/encode`, { inputs: 5 }), 400, /inputs/],
      ['unknown field', postJson(`${url}/v1/models/digits/encode`, { inputs: [], extra: 1 }), 400, /additional|extra/i],
      ['no inputs', postJson(`${url}/v1/models/digits/encode`, { inputs: [] }), 400, /No inputs/],
      ['bad base64', postJson(`${url}/v1/models/digits/encode`, { inputs: ['@@@not base64'] }), 400, /base64/],
      ['not an image', postJson(`${url}/v1/models/digits/encode`, { inputs: [b64(new TextEncoder().encode('hello world'))] }), 422, /inputs\[0\]/],
      ['truncated WAV', send('/v1/models/voices/encode', fx.wavs[0].subarray(0, 30), 'audio/wav'), 422, /body/],
      ['empty body', send('/v1/models/digits/encode', new Uint8Array(0), 'image/png'), 422, /empty/],
      ['blank sentence', postJson(`${url}/v1/models/sentences/encode`, { inputs: ['   '] }), 422, /inputs\[0\]/],
      ['unknown part', postJson(`${url}/v1/models/voices/encode?part=colour`, { inputs: [b64(fx.wavs[0])] }), 400, /speaker, content/],
      ['unknown format', postJson(`${url}/v1/models/digits/encode?format=xml`, { inputs: [b64(fx.pngs[0])] }), 400, /format/],
      ['unknown query', postJson(`${url}/v1/models/digits/encode?colour=red`, { inputs: [b64(fx.pngs[0])] }), 400, /colour|additional/],
      ['media type', send('/v1/models/digits/encode', '<xml/>', 'application/xml'), 415, /xml|media/i],
      ['codes of the wrong size', postJson(`${url}/v1/models/digits/decode`, { codes: [[1, 2, 3]] }), 422, /6|shape/],
      ['codes not numbers', postJson(`${url}/v1/models/digits/decode`, { codes: [['a']] }), 400, /number/],
      ['bad .npy', send('/v1/models/digits/decode', new Uint8Array([1, 2, 3]), 'application/x-npy'), 422, /npy|magic/i],
      ['bad latents', postJson(`${url}/v1/models/voices/decode`, { latents: [{ shape: [2] }] }), 422, /latents/],
      ['unknown route', send('/v1/encode', '{}', 'application/json'), 404, /GET \/v1\/models/],
      ['part on reconstruct', postJson(`${url}/v1/models/digits/reconstruct?part=all`, { inputs: [b64(fx.pngs[0])] }), 400, /encode only/],
    ];
    for (const [what, p, status, message] of cases) {
      const r = await p;
      expect(r.status, `${what}: ${JSON.stringify(r.json)}`).toBe(status);
      expect(typeof r.json.error?.code, what).toBe('string');
      expect(r.json.error.message, what).toMatch(message);
    }
    // A multipart body cut off mid-file and one with an unknown field.
    const form = new FormData();
    form.append('colour', 'red');
    form.append('file', new Blob([fx.pngs[0]]), 'a.png');
    const field = await fetch(`${url}/v1/models/digits/encode`, { method: 'POST', body: form });
    expect(field.status).toBe(400);
    const cut = await rawRequest('/v1/models/digits/encode', 'multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc');
    expect(cut.status).toBeGreaterThanOrEqual(400);
    expect(cut.status).toBeLessThan(500);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

/** A request whose body ends early (the client closes its side after writing it). */
function rawRequest(path: string, type: string, body: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${url}${path}`);
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { 'content-type': type, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('time bound', () => {
  it('answers 503 past timeoutMs, drops the request, and keeps serving', async () => {
    const slow = await createServer({ models: [{ dir: fx.audioDir }], limits: { timeoutMs: 1 } });
    const slowUrl = await slow.listen();
    try {
      const r = await postJson(`${slowUrl}/v1/models/voices/reconstruct`, { inputs: fx.wavs.map(b64) });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.error.code).toBe('LK_REQUEST_TIMEOUT');
      expect((await fetch(`${slowUrl}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${slowUrl}/metrics`)).text();
      expect(metrics).toMatch(/latentkit_requests_refused_total\{reason="timeout"\} 1/);
    } finally {
      await slow.close();
    }
  });
});
