/**
 * @file Small models of each modality for the server tests, made through the public API and
 * saved to folders (the server loads them as `latentkit serve --model` would), plus inputs.
 */
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { initEngine, registerModality } from '@latentkit/core';

/** Folders of one tiny image, audio and text model each, and some inputs for them. */
export interface ServerFixtures {
  imageDir: string;
  audioDir: string;
  textDir: string;
  pngs: Uint8Array[];
  wavs: Uint8Array[];
  sentences: string[];
  speakerDim: number;
}

/** Saves the three models under `dir` and makes inputs. */
export async function makeFixtures(dir: string): Promise<ServerFixtures> {
  await initEngine();
  const [image, audio, text] = await Promise.all([import('@latentkit/image'), import('@latentkit/audio'), import('@latentkit/text')]);
  registerModality(image.modality);
  registerModality(audio.modality);
  registerModality(text.modality);
  await mkdir(dir, { recursive: true });
  const imageDir = join(dir, 'digits');
  const conv = image.ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 6, filters: [4, 8] });
  await conv.save(imageDir);
  conv.dispose();
  const audioDir = join(dir, 'voices');
  const speakerDim = 12;
  const speech = audio.SpeechAutoencoder.create({ sampleRate: 16000, channels: 8, speakerDim, normalization: { mean: new Array(64).fill(-5), std: new Array(64).fill(2) } });
  await speech.save(audioDir);
  speech.dispose();
  const textDir = join(dir, 'sentences');
  const sentenceAe = text.SentenceAutoencoder.create({ maxLength: 32 });
  await sentenceAe.save(textDir);
  sentenceAe.dispose();
  const { images } = await image.syntheticGlyphs({ count: 6, style: 'strokes', seed: 5 });
  // Sizes other than the model's 28x28: the codec resizes, as for the CLI.
  const pngs = await Promise.all(images.map((im) => image.encodePng(im)));
  const corpus = audio.syntheticSpeechCorpus({ speakers: 3, utterancesPerSpeaker: 2, seed: 3 });
  const wavs = corpus.map((u) => audio.encodeWav16(u.clip));
  const sentences = ['the cat sat on the mat', 'a dog runs in the park', 'seven apples', 'it rains today', 'green ideas sleep', 'one two three'];
  return { imageDir, audioDir, textDir, pngs, wavs, sentences, speakerDim };
}

/** Whether two float arrays agree to `tol` (relative above 1). */
export function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])))) return false;
  return true;
}

/** What {@link post} returns. */
export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  json: any;
}

/**
 * POSTs a body on a connection of its own (node:http, no agent), so concurrent calls reach the
 * server together; fetch's pool may hold some back until others finish.
 */
export function post(url: string, body: Uint8Array | string, type: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': type, 'content-length': String(data.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** POSTs JSON (see {@link post}). */
export function postJson(url: string, body: unknown): Promise<Answer> {
  return post(url, JSON.stringify(body), 'application/json');
}

/** Base64 of bytes. */
export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
