/**
 * @file Types for the untyped CommonJS libraries this package uses. `fft.js` ships its own
 * (loose, `any`-typed) declarations, so only `wav-decoder` needs one here; features/fft.ts
 * wraps fft.js behind a typed interface.
 */
declare module 'wav-decoder' {
  /** What wav-decoder returns: one Float32Array per channel. */
  export interface DecodedWav {
    sampleRate: number;
    numberOfChannels: number;
    length: number;
    channelData: Float32Array[];
  }
  /** `symmetric: true` scales by 2^(bits-1) on both sides; the default maps full scale to +-1. */
  export interface WavDecodeOptions {
    symmetric?: boolean;
  }
  interface DecodeFn {
    (buffer: ArrayBuffer, options?: WavDecodeOptions): Promise<DecodedWav>;
    sync(buffer: ArrayBuffer, options?: WavDecodeOptions): DecodedWav;
  }
  const wavDecoder: { decode: DecodeFn };
  export default wavDecoder;
}
