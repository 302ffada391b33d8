/**
 * @file The benchmark contract: a suite runs with a context and returns the JSON its issue
 * names; the runner prints tables as the suite goes and writes the JSON with `--json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tf, type DatasetLayout, type ModalityDescriptor } from '@latentkit/core';

/** What every suite receives. */
export interface BenchContext {
  /** Reduced run (each suite keeps it under 5 minutes on 2 cores). */
  quick: boolean;
  /** Data folder in the layout of shared/data (LATENTKIT_DATA, default ../shared/data). */
  dataDir: string;
  /** Folder for pictures, WAVs and other artefacts (next to the JSON file). */
  outDir: string;
  /** Extra command-line flags. */
  args: Record<string, unknown>;
  log(message: string): void;
}

/** One benchmark suite (`bench/suites/<name>.ts` default-exports it). */
export interface BenchSuite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<unknown>;
}

/** The data folder: `--data`, else `LATENTKIT_DATA`, else `../shared/data` beside the repo. */
export { resolveDataDir } from '@latentkit/core';

/** Throws a clear error when a dataset the suite needs is missing. */
export function requireData(dataDir: string, sub: string): string {
  const p = resolve(dataDir, sub);
  if (!existsSync(p)) {
    throw new Error(`Benchmark data not found: ${p}. Point LATENTKIT_DATA (or --data) at a folder laid out like shared/data.`);
  }
  return p;
}

/**
 * A numeric flag (`--epochs 40`), or undefined when it was not given. A value that is not a
 * finite number throws, so a mistyped sweep does not silently run the default.
 */
export function numberArg(args: Record<string, unknown>, name: string): number | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(v)}.`);
  return n;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident set size of this process so far, in MB (Linux VmHWM; falls back to current RSS). */
export function peakRssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    /* not Linux */
  }
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

/**
 * Memory now, in one line: resident set (and its peak so far), the JS heap, array buffers
 * (data, batches, onnxruntime's outputs) and tfjs-wasm's heap (it never shrinks). The rest of
 * the resident set is native: onnxruntime's sessions and the split workers.
 */
export function memoryLine(): string {
  const m = process.memoryUsage();
  const mb = (x: number) => Math.round(x / 1048576);
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : undefined;
  const wasm = backend?.wasm?.HEAPU8?.byteLength;
  return `rss ${mb(m.rss)} MB (peak ${peakRssMb()}): JS heap ${mb(m.heapUsed)}, array buffers ${mb(m.arrayBuffers)}${wasm ? `, wasm heap ${mb(wasm)}` : ''}`;
}

/**
 * A dataset layout of a modality, by name: benchmarks read their data the way
 * `latentkit train --data` does, through the modality's descriptor.
 * @throws {Error} when the modality has no such layout.
 */
export function datasetLayout<S>(modality: ModalityDescriptor<S>, name: string): DatasetLayout<S> {
  const layout = modality.datasets.find((l) => l.name === name);
  if (!layout) throw new Error(`The ${modality.name} modality has no '${name}' dataset layout (it has ${modality.datasets.map((l) => l.name).join(', ')}).`);
  return layout;
}
