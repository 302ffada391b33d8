/**
 * @file Live decoding in the explorer: when the server names a model folder (`latentkit explore
 * --model`), the page loads it with core's `loadModel(url)` (every file's sha256 checked) and
 * decodes the code of a clicked row into what the model makes — a picture, a playable clip, a
 * sentence — chosen by the output's shape, not by modality. Loaded on first use (its own
 * chunk: tfjs and the model classes stay out of the page until a model is served).
 */
import { initEngine, loadModel, makeLatent, registerModels, setWasmPaths, type Autoencoder, type ModelConfig } from '@latentkit/core';
import { audioModels, clipToAudioBuffer, type AudioClip } from '@latentkit/audio';
import { imageModels, imageToRgba, type FloatImage } from '@latentkit/image';
import { textModels } from '@latentkit/text';

/** What a decode showed, for tests and the console. */
export type DecodedView =
  | { kind: 'image'; width: number; height: number; channels: number; data: number[] }
  | { kind: 'audio'; sampleRate: number; samples: number; rms: number }
  | { kind: 'text'; text: string };

/** 16-bit PCM WAV bytes of a mono buffer (what an `<audio>` element plays). */
function wav16(samples: Float32Array, rate: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const text = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => v.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, s)) * 32767), true));
  return out;
}

/** A served model, ready to decode codes of its width. */
export class LiveDecoder {
  private constructor(readonly model: Autoencoder<unknown, unknown, ModelConfig>) {}

  /** Loads the model served at `url` (the page serves tfjs's .wasm files beside itself). */
  static async open(url: string): Promise<LiveDecoder> {
    setWasmPaths(new URL('./', location.href).href);
    await initEngine();
    registerModels([...imageModels, ...audioModels, ...textModels]);
    return new LiveDecoder(await loadModel(url));
  }

  get kind(): string {
    return this.model.config.kind;
  }

  /**
   * Decodes one code and renders the output.
   * @returns the element to show and a summary of it.
   * @throws whatever the model's decode throws (e.g. a speech model needs codes with parts).
   */
  async render(code: Float32Array): Promise<{ element: HTMLElement; view: DecodedView }> {
    const [out] = (await this.model.decode([makeLatent(code, [code.length], this.model.config.modality, this.model.config.kind)])) as (FloatImage | AudioClip | string)[];
    if (typeof out === 'string') {
      return { element: Object.assign(document.createElement('q'), { textContent: out }), view: { kind: 'text', text: out } };
    }
    if ('samples' in out) {
      const buffer = clipToAudioBuffer(out);
      const samples = buffer.getChannelData(0);
      const audio = Object.assign(document.createElement('audio'), { controls: true, src: URL.createObjectURL(new Blob([wav16(samples, out.sampleRate)], { type: 'audio/wav' })) });
      const rms = Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);
      return { element: audio, view: { kind: 'audio', sampleRate: out.sampleRate, samples: samples.length, rms } };
    }
    const canvas = document.createElement('canvas');
    canvas.width = out.width;
    canvas.height = out.height;
    canvas.className = 'decoded';
    canvas.getContext('2d')!.putImageData(new ImageData(imageToRgba(out), out.width, out.height), 0, 0);
    return { element: canvas, view: { kind: 'image', width: out.width, height: out.height, channels: out.channels, data: Array.from(out.data) } };
  }
}
