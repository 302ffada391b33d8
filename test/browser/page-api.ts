/**
 * @file What the test page (page/models-page.ts) offers on `window.lk`, in plain JSON types, so
 * Node-side tests and the benchmark can call it without the DOM library.
 */

/** A code as JSON: its values, and its parts' values (speech: speaker, content, contentPooled). */
export interface CodeJson {
  data: number[];
  shape: number[];
  parts?: Record<string, { data: number[]; shape: number[] }>;
}

/** An input as JSON, by modality. */
export type InputJson =
  | { image: { data: number[]; width: number; height: number; channels: 1 | 3 } }
  | { audio: { samples: number[]; sampleRate: number } }
  | { text: string };

/** The page's API. */
export interface PageApi {
  /** Engine on wasm, the .wasm files from `wasmUrl`; every model class registered. Returns describeEngine's line. */
  init(wasmUrl: string): Promise<string>;
  /** The kind of the model served at `url`. */
  kind(url: string): Promise<string>;
  encode(url: string, inputs: InputJson[]): Promise<CodeJson[]>;
  /** Images come back as values, audio as the samples of a playable AudioBuffer, text as strings. */
  decode(url: string, codes: CodeJson[]): Promise<unknown[]>;
  fillIn(url: string, texts: string[]): Promise<string[]>;
  /** Encode throughput: `repeat` passes over the inputs, in inputs per second. */
  throughput(url: string, inputs: InputJson[], repeat: number): Promise<number>;
  /** What loading `url` throws: its class name, whether it is a ChecksumMismatchError, its message. */
  loadError(url: string): Promise<{ name: string; checksum: boolean; message: string }>;
}

/** Runs one `window.lk` call in a playwright page. */
export function callPage<K extends keyof PageApi>(
  page: { evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> },
  name: K,
  ...args: Parameters<PageApi[K]>
): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return page.evaluate(
    ([n, a]) => (globalThis as unknown as { lk: Record<string, (...x: unknown[]) => unknown> }).lk[n](...a) as Promise<Awaited<ReturnType<PageApi[K]>>>,
    [name as string, args as unknown[]] as const,
  );
}
