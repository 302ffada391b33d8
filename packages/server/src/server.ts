/**
 * @file `createServer`: a Fastify app that answers encode, decode and reconstruct requests for
 * any latentkit model, through the model's modality descriptor (no modality is named here).
 * Routes:
 * - `GET /` (what is served), `GET /health`, `GET /metrics` (Prometheus text), `GET /v1/models`,
 *   `GET /v1/models/:id`;
 * - `POST /v1/models/:id/encode`: inputs as JSON, multipart or a raw file body; `?part=`,
 *   `?format=json|latents|npy`;
 * - `POST /v1/models/:id/decode`: JSON `codes` rows, JSON `latents`, or a `.npy` body; answers the
 *   codec's file (PNG, WAV, text lines) or `?format=json`;
 * - `POST /v1/models/:id/reconstruct`: inputs as for encode, outputs as for decode;
 * - with a store (`search`): `POST /v1/search` and `POST /v1/models/:id/search` (search.ts).
 * Concurrent requests for one model share forward passes (see batcher.ts).
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { encodeNpy, latentsToJSON, selectPart, stackLatents, type Latent } from '@latentkit/core';
import { errorReply, HttpError, RequestTimeoutError } from './errors.js';
import { decodeSamples, readCodes, readRequestInputs } from './inputs.js';
import { stringifyWithFloat32 } from './json.js';
import { resolveLimits, type ResolvedLimits, type ServerLimits } from './limits.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { describeModel, disposeModels, loadServedModels, type ModelSpec, type ServedModel } from './models.js';
import type { MicroBatcherOptions } from './batcher.js';
import { registerSearch, type ServerSearchOptions } from './search.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The models to serve (folders or loaded models). */
  models: readonly ModelSpec[];
  /** Size, time and concurrency limits; see {@link ServerLimits} for the defaults. */
  limits?: ServerLimits;
  /** Rows per forward pass and the wait of an idle queue. @default { maxBatchRows: 64, maxWaitMs: 2 } */
  batching?: Pick<MicroBatcherOptions, 'maxBatchRows' | 'maxWaitMs'>;
  /** A latent store to answer `POST /v1/search` and `POST /v1/models/:id/search` from (see search.ts). */
  search?: ServerSearchOptions;
  /** Fastify's request log (pino), e.g. `{ level: 'info' }`. @default false */
  logger?: boolean | { level: string };
}

/** A running (or ready) server. */
export interface LatentServer {
  /** The Fastify app (for `inject` in tests, or more routes). */
  readonly app: FastifyInstance;
  readonly models: readonly ServedModel[];
  readonly limits: ResolvedLimits;
  readonly metrics: ServerMetrics;
  /**
   * Starts listening.
   * @param options `host` (@default '127.0.0.1': only this machine) and `port` (@default 0: a free one).
   * @returns the URL it listens on, e.g. `http://127.0.0.1:8080`.
   */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stops taking requests, lets those in flight finish, then disposes the models it loaded. */
  close(): Promise<void>;
}

const ENCODE_FORMATS = ['json', 'latents', 'npy'] as const;
const OUTPUT_FORMATS = ['file', 'json'] as const;

const querySchema = (formats: readonly string[]) => ({
  type: 'object',
  properties: { part: { type: 'string', minLength: 1, maxLength: 64 }, format: { type: 'string', enum: [...formats] } },
  additionalProperties: false,
});
const paramsSchema = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] };
const inputsBodySchema = {
  type: 'object',
  properties: {
    inputs: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string' },
          { type: 'object', properties: { base64: { type: 'string' }, name: { type: 'string', maxLength: 200 } }, required: ['base64'], additionalProperties: false },
        ],
      },
    },
    part: { type: 'string', minLength: 1, maxLength: 64 },
    format: { type: 'string' },
  },
  required: ['inputs'],
  additionalProperties: false,
};
const codesBodySchema = {
  type: 'object',
  properties: {
    codes: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    latents: { type: 'array', items: { type: 'object' } },
    format: { type: 'string', enum: [...OUTPUT_FORMATS] },
    // What encode answers besides the codes, so its answer can be posted back as it is.
    model: { type: 'string' },
    part: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
  anyOf: [{ required: ['codes'] }, { required: ['latents'] }],
  additionalProperties: false,
};

/**
 * Loads the models and builds the app (call {@link LatentServer.listen} to serve).
 * @param options models, limits, batching, logging.
 * @returns the server.
 * @throws {InvalidArgumentError} for a bad limit or model id, or a repeated id.
 * @throws the model loader's errors (ModelNotFoundError, ModelFormatError, UnknownModelKindError).
 * @example
 * ```ts
 * const server = await createServer({ models: [{ id: 'digits', dir: 'models/glyphs' }] });
 * const url = await server.listen({ port: 8080 });
 * // curl --data-binary @seven.png -H 'content-type: image/png' $url/v1/models/digits/encode
 * ```
 */
export async function createServer(options: ServerOptions): Promise<LatentServer> {
  const limits = resolveLimits(options.limits);
  let inFlight = 0;
  let draining = false;
  // Metrics exist before the models so the batchers' hooks can report into them.
  let served: ServedModel[] = [];
  const metrics = createMetrics(
    () => served.flatMap((m) => (['encode', 'decode', 'reconstruct'] as const).map((op) => ({ model: m.id, op, rows: m[op].pendingRows }))),
    () => inFlight,
  );
  served = await loadServedModels(options.models, { ...options.batching, maxQueuedRows: limits.maxQueuedRows }, (model, op, rows, seconds) => {
    metrics.batchRows.observe({ model, op }, rows);
    metrics.batchSeconds.observe({ model, op }, seconds);
  });
  const byId = new Map(served.map((m) => [m.id, m]));

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.maxBodyBytes,
    // Time to receive a whole request: a client trickling bytes cannot hold a slot for ever.
    requestTimeout: limits.timeoutMs,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Strict: a number is not a string, and unknown fields are refused rather than dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  await app.register(multipart, {
    limits: { fileSize: limits.maxBodyBytes, files: limits.maxItems, fields: 4, parts: limits.maxItems + 4, fieldSize: 256, headerPairs: 100 },
  });
  app.removeContentTypeParser('text/plain');
  const raw = (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  app.addContentTypeParser(['text/plain', 'application/octet-stream', 'application/x-npy'], { parseAs: 'buffer' }, raw);
  app.addContentTypeParser(/^(image|audio)\/[a-z0-9.+-]+$/i, { parseAs: 'buffer' }, raw);

  const unbounded = new Set(['/', '/health', '/metrics']);
  app.addHook('onRequest', async (req, reply) => {
    if (unbounded.has(req.url.split('?')[0])) return;
    if (inFlight >= limits.maxConcurrentRequests) {
      metrics.refused.inc({ reason: 'busy' });
      reply.code(429).header('retry-after', '1');
      return reply.send({ error: { code: 'LK_BUSY', message: `The server is handling ${inFlight} requests, its bound (maxConcurrentRequests=${limits.maxConcurrentRequests}).`, limit: 'maxConcurrentRequests', max: limits.maxConcurrentRequests } });
    }
    inFlight++;
    (req as { counted?: boolean }).counted = true;
  });
  app.addHook('onResponse', async (req, reply) => {
    if ((req as { counted?: boolean }).counted) inFlight--;
    const route = req.routeOptions.url ?? 'unmatched';
    const model = (req.params as { id?: string } | undefined)?.id ?? '';
    const known = byId.has(model) ? model : '';
    metrics.requests.inc({ route, model: known, status: String(reply.statusCode) });
    metrics.latency.observe({ route, model: known }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err, req, reply) => {
    const r = errorReply(err, limits);
    if (r.status >= 500 && r.status !== 503) req.log.error(err);
    if (r.body.error.code === 'LK_REQUEST_TIMEOUT') metrics.refused.inc({ reason: 'timeout' });
    if (r.body.error.code === 'LK_QUEUE_FULL') metrics.refused.inc({ reason: 'queue_full' });
    if (r.retryAfter !== undefined) reply.header('retry-after', String(r.retryAfter));
    return reply.code(r.status).send(r.body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'LK_NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}; see GET /v1/models and the README's "Serving" section.` } }));

  const modelOf = (req: FastifyRequest): ServedModel => {
    const id = (req.params as { id: string }).id;
    const m = byId.get(id);
    if (!m) throw new HttpError(404, 'LK_UNKNOWN_MODEL', `No model '${id}' here (models: ${[...byId.keys()].join(', ')}).`);
    return m;
  };
  /** Runs a request's work under the server's deadline; past it, queued rows are dropped and the answer is 503. */
  const withDeadline = async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new RequestTimeoutError(`The request took longer than timeoutMs=${limits.timeoutMs}.`, { hint: 'Retry, send fewer inputs at once, or raise the timeout.' });
        ac.abort(e);
        reject(e);
      }, limits.timeoutMs);
    });
    try {
      return await Promise.race([work(ac.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  app.get('/', async () => ({
    service: 'latentkit',
    models: served.map((m) => m.id),
    endpoints: ['GET /health', 'GET /metrics', 'GET /v1/models', 'GET /v1/models/:id', 'POST /v1/models/:id/encode', 'POST /v1/models/:id/decode', 'POST /v1/models/:id/reconstruct', ...(options.search ? ['POST /v1/search', 'POST /v1/models/:id/search'] : [])],
  }));
  app.get('/health', async (_req, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ok', models: served.map((m) => m.id) };
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/v1/models', async () => ({ models: served.map(describeModel) }));
  app.get('/v1/models/:id', { schema: { params: paramsSchema } }, async (req) => describeModel(modelOf(req)));

  app.post('/v1/models/:id/encode', { schema: { params: paramsSchema, querystring: querySchema(ENCODE_FORMATS), body: { content: { 'application/json': { schema: inputsBodySchema } } } } }, async (req, reply) => {
    const m = modelOf(req);
    return withDeadline(async (signal) => {
      const input = await readRequestInputs(req, m, limits);
      const format = checkFormat(input.fields.format ?? 'json', ENCODE_FORMATS);
      const part = resolvePart(m, input.fields.part);
      const samples = await decodeSamples(input.files, m, limits);
      // Only the part answered is computed, unless the whole latent (every part) is asked for.
      const parts = format === 'latents' ? undefined : part.latentPart === undefined ? [] : [part.latentPart];
      const { results, batchRows } = await m.encode.submit(samples.map((sample) => ({ sample, parts })), signal);
      reply.header('x-latentkit-batch-rows', String(batchRows));
      if (format === 'latents') return { model: m.id, latents: latentsToJSON(results) };
      const codes = part.latentPart === undefined ? results : selectPart(results, part.latentPart);
      if (format === 'npy') {
        const batch = stackLatents(codes);
        const cols = batch.data.length / codes.length;
        return reply.type('application/x-npy').send(Buffer.from(encodeNpy({ data: batch.data, rows: codes.length, cols })));
      }
      // Written by hand rather than by Fastify's JSON.stringify: codes are long float32 arrays (json.ts).
      return reply.type('application/json; charset=utf-8').send(stringifyWithFloat32({ model: m.id, part: part.name, ...shapeOf(codes), codes: codes.map((c) => c.data) }));
    });
  });

  app.post('/v1/models/:id/decode', { schema: { params: paramsSchema, querystring: querySchema(OUTPUT_FORMATS), body: { content: { 'application/json': { schema: codesBodySchema } } } } }, async (req, reply) => {
    const m = modelOf(req);
    return withDeadline(async (signal) => {
      const query = req.query as { format?: string };
      const format = checkFormat((req.body as { format?: string } | undefined)?.format ?? query.format ?? 'file', OUTPUT_FORMATS);
      const codes = readCodes(req, m, limits);
      const { results, batchRows } = await m.decode.submit(codes, signal);
      reply.header('x-latentkit-batch-rows', String(batchRows));
      return sendOutputs(reply, m, results, format);
    });
  });

  app.post('/v1/models/:id/reconstruct', { schema: { params: paramsSchema, querystring: querySchema(OUTPUT_FORMATS), body: { content: { 'application/json': { schema: inputsBodySchema } } } } }, async (req, reply) => {
    const m = modelOf(req);
    return withDeadline(async (signal) => {
      const input = await readRequestInputs(req, m, limits);
      const format = checkFormat(input.fields.format ?? 'file', OUTPUT_FORMATS);
      if (input.fields.part !== undefined) throw new HttpError(400, 'LK_BAD_REQUEST', "'part' applies to encode only.");
      const samples = await decodeSamples(input.files, m, limits);
      const { results, batchRows } = await m.reconstruct.submit(samples, signal);
      reply.header('x-latentkit-batch-rows', String(batchRows));
      return sendOutputs(reply, m, results, format);
    });
  });

  if (options.search) registerSearch(app, options.search, modelOf, limits, withDeadline);

  let closing: Promise<void> | undefined;
  return {
    app,
    models: served,
    limits,
    metrics,
    async listen(o = {}) {
      return app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 });
    },
    close() {
      closing ??= (async () => {
        draining = true;
        // Fastify stops accepting, answers 503 to new requests on open connections, and waits
        // for the ones in flight; their batches finish before the models go.
        await app.close();
        await Promise.all(served.flatMap((m) => [m.encode.whenIdle(), m.decode.whenIdle(), m.reconstruct.whenIdle()]));
        disposeModels(served);
      })();
      return closing;
    },
  };
}

function checkFormat<F extends string>(format: string, allowed: readonly F[]): F {
  if (!(allowed as readonly string[]).includes(format)) throw new HttpError(400, 'LK_BAD_REQUEST', `format must be one of ${allowed.join(', ')}; got '${format}'.`);
  return format as F;
}

/** The part a request asked for (or the modality's default for the model), and its key in a latent's parts. */
function resolvePart(m: ServedModel, asked: string | undefined): { name: string; latentPart?: string } {
  const d = m.modality;
  const name = asked ?? d.defaultPart?.(m.model) ?? 'all';
  if (name === 'all') return { name };
  const spec = d.parts.find((p) => p.name === name);
  if (!spec) throw new HttpError(400, 'LK_UNKNOWN_PART', `'${name}' is not a part of ${d.name} codes (parts: ${['all', ...d.parts.map((p) => p.name)].join(', ')}).`);
  return { name, latentPart: spec.latentPart };
}

/** `shape: [n, ...]` when every code has one shape, else `shapes` (codes over time vary in length). */
function shapeOf(codes: readonly Latent[]): { shape: number[] } | { shapes: number[][] } {
  const first = codes[0].shape;
  const same = codes.every((c) => c.shape.length === first.length && c.shape.every((v, i) => v === first[i]));
  return same ? { shape: [codes.length, ...first] } : { shapes: codes.map((c) => c.shape) };
}

/** The codec's file when there is one (a PNG, a WAV, all sentences as lines), else JSON with base64 files. */
async function sendOutputs(reply: FastifyReply, m: ServedModel, outputs: unknown[], format: 'file' | 'json'): Promise<unknown> {
  const { codec } = m.modality;
  const files = await codec.encode(outputs);
  if (format === 'file' && files.length === 1) return reply.type(files[0].mediaType).send(Buffer.from(files[0].bytes));
  return {
    model: m.id,
    ...(codec.printable ? { outputs: outputs.map(String) } : {}),
    files: files.map((f) => ({ media_type: f.mediaType, extension: f.extension, base64: Buffer.from(f.bytes).toString('base64') })),
  };
}
