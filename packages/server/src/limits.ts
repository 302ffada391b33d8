/**
 * @file What a server refuses, and when: request bytes, decoded input sizes (handed to the
 * modality codecs as `DecodeInputOptions.limits`, so each checks what applies to it), inputs
 * per request, time, and the concurrency bounds that answer 429 instead of queueing without end.
 */
import { InvalidArgumentError, type InputLimits } from '@latentkit/core';

/** What a caller may set; every field has a default. */
export interface ServerLimits {
  /** Largest request body (JSON, multipart or raw), in bytes; past it the answer is 413. @default 16777216 (16 MiB) */
  maxBodyBytes?: number;
  /** Most pixels of one image (checked from its header). @default 16000000 */
  maxPixels?: number;
  /** Most seconds of one clip (checked from its header). @default 60 */
  maxSeconds?: number;
  /** Most characters of one sentence. @default 4096 */
  maxChars?: number;
  /** Most inputs (images, clips, sentences, codes) in one request. @default 256 */
  maxItems?: number;
  /** A request not answered within this many milliseconds gets 503 (its queued rows are dropped). @default 30000 */
  timeoutMs?: number;
  /** Requests handled at once; one more is answered 429 before its body is read. @default 256 */
  maxConcurrentRequests?: number;
  /** Rows waiting per model and operation; a request that would pass it is answered 429. @default 2048 */
  maxQueuedRows?: number;
}

/** {@link ServerLimits} with every field filled in. */
export type ResolvedLimits = Required<ServerLimits>;

/** The defaults of {@link ServerLimits}. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxPixels: 16_000_000,
  maxSeconds: 60,
  maxChars: 4096,
  maxItems: 256,
  timeoutMs: 30_000,
  maxConcurrentRequests: 256,
  maxQueuedRows: 2048,
};

/**
 * Fills in defaults and checks each limit is a positive number (integers where counts).
 * @throws {InvalidArgumentError} naming a bad limit.
 */
export function resolveLimits(limits: ServerLimits = {}): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ServerLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new InvalidArgumentError(`Unknown server limit '${key}' (limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}).`);
    const integer = key !== 'maxSeconds';
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`Server limit ${key} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}.`);
    }
    out[key] = value;
  }
  return out;
}

/** The limits a codec checks while decoding one input. */
export function codecLimits(limits: ResolvedLimits): InputLimits {
  return { maxPixels: limits.maxPixels, maxSeconds: limits.maxSeconds, maxChars: limits.maxChars };
}
