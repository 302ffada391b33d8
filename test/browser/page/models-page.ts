/**
 * @file The page the browser tests and benchmark drive: the browser entries of core, image,
 * audio and text, bundled by esbuild for the browser (the `browser` export condition), behind
 * a small API on `window.lk` that takes and returns plain JSON (what playwright can carry).
 * Type-checked with the DOM library and no Node types (tsconfig.json beside it).
 */
import { ChecksumMismatchError, describeEngine, initEngine, loadModel, registerModels, setWasmPaths, type Autoencoder, type Latent, type ModelConfig } from '@latentkit/core';
import { imageFromImageData, imageModels, imageToRgba, type FloatImage } from '@latentkit/image';
import { audioModels, clipFromAudioBuffer, clipToAudioBuffer, type AudioClip } from '@latentkit/audio';
import { textModels, type SentenceAutoencoder } from '@latentkit/text';

import type { CodeJson, InputJson, PageApi } from '../page-api.js';

const models = new Map<string, Autoencoder<any, any, ModelConfig>>();

async function model(url: string): Promise<Autoencoder<any, any, ModelConfig>> {
  let m = models.get(url);
  if (!m) {
    m = await loadModel(url);
    models.set(url, m);
  }
  return m;
}

function codeJson(c: Latent): CodeJson {
  const out: CodeJson = { data: Array.from(c.data), shape: [...c.shape] };
  if (c.parts) out.parts = Object.fromEntries(Object.entries(c.parts).map(([k, p]) => [k, { data: Array.from(p.data), shape: [...p.shape] }]));
  return out;
}

function latentOf(c: CodeJson): Latent {
  const parts = c.parts ? Object.fromEntries(Object.entries(c.parts).map(([k, p]) => [k, { data: Float32Array.from(p.data), shape: p.shape }])) : undefined;
  return { data: Float32Array.from(c.data), shape: c.shape, ...(parts ? { parts } : {}) } as Latent;
}

/** Turns a JSON input into what the model encodes, through the page converters. */
function pageInput(input: InputJson): FloatImage | AudioClip | string {
  if ('text' in input) return input.text;
  if ('image' in input) {
    // Through ImageData, as a page would have it from a canvas.
    const img: FloatImage = { ...input.image, data: Float32Array.from(input.image.data) };
    return imageFromImageData(new ImageData(imageToRgba(img), img.width, img.height), { channels: img.channels });
  }
  // Through an AudioBuffer, as Web Audio would give it.
  const buffer = new AudioBuffer({ length: input.audio.samples.length, sampleRate: input.audio.sampleRate, numberOfChannels: 1 });
  buffer.copyToChannel(Float32Array.from(input.audio.samples), 0);
  return clipFromAudioBuffer(buffer);
}

const api: PageApi = {
  /** Engine on wasm, the .wasm files from `wasmUrl`; every model class registered. */
  async init(wasmUrl: string): Promise<string> {
    setWasmPaths(wasmUrl);
    registerModels([...imageModels, ...audioModels, ...textModels]);
    return describeEngine(await initEngine({ backend: 'wasm' }));
  },
  async kind(url: string): Promise<string> {
    return (await model(url)).config.kind;
  },
  async encode(url: string, inputs: InputJson[]): Promise<CodeJson[]> {
    const m = await model(url);
    return (await m.encode(inputs.map(pageInput))).map(codeJson);
  },
  /** Decodes codes; images come back as values, audio as a played-ready buffer's samples, text as strings. */
  async decode(url: string, codes: CodeJson[]): Promise<unknown[]> {
    const m = await model(url);
    const outs = await m.decode(codes.map(latentOf));
    return outs.map((o: FloatImage | AudioClip | string) => {
      if (typeof o === 'string') return o;
      if ('samples' in o) {
        const buffer = clipToAudioBuffer(o);
        return { samples: Array.from(buffer.getChannelData(0)), sampleRate: buffer.sampleRate };
      }
      return { data: Array.from(o.data), width: o.width, height: o.height, channels: o.channels };
    });
  },
  async fillIn(url: string, texts: string[]): Promise<string[]> {
    return ((await model(url)) as unknown as SentenceAutoencoder).fillIn(texts);
  },
  /** Encode throughput: `repeat` passes over the inputs, in inputs per second. */
  async throughput(url: string, inputs: InputJson[], repeat: number): Promise<number> {
    const m = await model(url);
    const items = inputs.map(pageInput);
    await m.encode(items.slice(0, 1));
    const t0 = performance.now();
    for (let r = 0; r < repeat; r++) await m.encode(items);
    return (items.length * repeat) / ((performance.now() - t0) / 1000);
  },
  /** What loading `url` throws: the error's class name and message (or 'ok'). */
  async loadError(url: string): Promise<{ name: string; checksum: boolean; message: string }> {
    try {
      (await loadModel(url)).dispose();
      return { name: 'ok', checksum: false, message: '' };
    } catch (e) {
      // instanceof, not the name: a bundler may rename classes.
      return { name: (e as Error).name, checksum: e instanceof ChecksumMismatchError, message: (e as Error).message };
    }
  },
};

(window as unknown as { lk: PageApi }).lk = api;
