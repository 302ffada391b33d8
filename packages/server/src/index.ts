/**
 * @file Public API of @latentkit/server: an HTTP server for latentkit models (encode, decode,
 * reconstruct) with micro-batching, limits and Prometheus metrics, on Fastify.
 */
export { createServer } from './server.js';
export type { ServerOptions, LatentServer } from './server.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export type { ServerLimits, ResolvedLimits } from './limits.js';
export { MicroBatcher, QueueFullError } from './batcher.js';
export type { MicroBatcherOptions, BatchedResult } from './batcher.js';
export { HttpError, RequestTimeoutError } from './errors.js';
export type { ErrorBody } from './errors.js';
export type { ModelSpec, ServedModel, AnyModel } from './models.js';
export type { SearchStore, ServerSearchOptions } from './search.js';
