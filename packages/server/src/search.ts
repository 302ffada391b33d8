/**
 * @file Search routes over a latent store (`@latentkit/store`'s `LatentStore`, or anything with
 * its `search` and `space`): `POST /v1/search` takes a code or a stored row, and
 * `POST /v1/models/:id/search` takes one input, encodes it with the served model (through the
 * micro-batcher, into the part the store holds) and searches with its code. The server does not
 * depend on the store package: the caller opens the store and hands it over.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LatentkitError, selectPart } from '@latentkit/core';
import { HttpError } from './errors.js';
import { decodeSamples, readRequestInputs } from './inputs.js';
import type { ResolvedLimits } from './limits.js';
import type { ServedModel } from './models.js';

/** What the server needs of a store (`LatentStore` has it). */
export interface SearchStore {
  search(
    query: { modality: string; vector: ArrayLike<number> } | { modality?: string; row: number },
    options?: { k?: number; across?: string; exact?: boolean },
  ): Promise<unknown[]>;
  /** The space of a modality: its code width and the named part its rows hold. @throws when there is none. */
  space(modality: string): { dim: number; part?: string };
}

/** Options of the search routes (`ServerOptions.search`). */
export interface ServerSearchOptions {
  store: SearchStore;
  /**
   * Whether a served model made the store's codes of its modality (e.g. the store's recorded
   * model fingerprint equals the model folder's); a model for which it says false answers 409.
   * @default every model is taken to match
   */
  matches?(modelId: string, modality: string): boolean;
}

const searchQuery = {
  type: 'object',
  properties: { k: { type: 'string', pattern: '^[0-9]{1,4}$' }, across: { type: 'string', maxLength: 64 }, exact: { type: 'string', enum: ['true', 'false'] } },
  additionalProperties: false,
};
const searchBody = {
  type: 'object',
  properties: {
    vector: { type: 'array', items: { type: 'number' }, maxItems: 65536 },
    row: { type: 'integer', minimum: 0 },
    modality: { type: 'string', maxLength: 64 },
    k: { type: 'integer', minimum: 1, maximum: 1000 },
    across: { type: 'string', maxLength: 64 },
    exact: { type: 'boolean' },
  },
  anyOf: [{ required: ['vector', 'modality'] }, { required: ['row'] }],
  additionalProperties: false,
};

/** Store errors (a modality the store lacks, a code of the wrong width) are the request's fault. */
async function asRequestError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof LatentkitError && !(e instanceof HttpError)) throw new HttpError(422, e.code, e.message);
    throw e;
  }
}

/**
 * Adds the search routes.
 * @param withDeadline runs a request's work under the server's timeout.
 */
export function registerSearch(
  app: FastifyInstance,
  search: ServerSearchOptions,
  modelOf: (req: FastifyRequest) => ServedModel,
  limits: ResolvedLimits,
  withDeadline: <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T>,
): void {
  const { store } = search;
  app.post('/v1/search', { schema: { body: { content: { 'application/json': { schema: searchBody } } } } }, async (req) => {
    const b = req.body as { vector?: number[]; row?: number; modality?: string; k?: number; across?: string; exact?: boolean };
    if (!b || typeof b !== 'object' || b instanceof Uint8Array) throw new HttpError(415, 'LK_UNSUPPORTED_MEDIA_TYPE', 'Send the query as JSON: { "vector": [...], "modality": "..." } or { "row": n }.');
    const query = b.vector !== undefined ? { modality: b.modality!, vector: b.vector } : { row: b.row!, ...(b.modality !== undefined ? { modality: b.modality } : {}) };
    const opts = { ...(b.k !== undefined ? { k: b.k } : {}), ...(b.across !== undefined ? { across: b.across } : {}), ...(b.exact !== undefined ? { exact: b.exact } : {}) };
    return { hits: await asRequestError(store.search(query, opts)) };
  });

  app.post('/v1/models/:id/search', { schema: { querystring: searchQuery } }, async (req) => {
    const m = modelOf(req);
    const modality = m.modality.name;
    return withDeadline(async (signal) => {
      const space = await asRequestError(Promise.resolve().then(() => store.space(modality)));
      if (search.matches && !search.matches(m.id, modality)) {
        throw new HttpError(409, 'LK_MODEL_MISMATCH', `The store's ${modality} codes were made by another model than '${m.id}'; its codes would not be comparable.`);
      }
      const q = req.query as { k?: string; across?: string; exact?: string };
      const input = await readRequestInputs(req, m, limits);
      const samples = await decodeSamples(input.files, m, limits);
      if (samples.length !== 1) throw new HttpError(422, 'LK_BAD_REQUEST', `Search takes one input; got ${samples.length}.`);
      // The store's rows hold one named part of the code (or all of it): the query's code must too.
      const spec = space.part !== undefined && space.part !== 'all' ? m.modality.parts.find((p) => p.name === space.part) : undefined;
      if (space.part !== undefined && space.part !== 'all' && !spec) throw new HttpError(422, 'LK_MODEL_MISMATCH', `The store's ${modality} rows hold part '${space.part}', which ${modality} models do not name.`);
      const { results } = await m.encode.submit([{ sample: samples[0], parts: spec ? [spec.latentPart] : [] }], signal);
      const [code] = spec ? selectPart(results, spec.latentPart) : results;
      const opts = { ...(q.k !== undefined ? { k: Number(q.k) } : {}), ...(q.across !== undefined ? { across: q.across } : {}), ...(q.exact !== undefined ? { exact: q.exact === 'true' } : {}) };
      return { model: m.id, part: space.part ?? 'all', hits: await asRequestError(store.search({ modality, vector: code.data }, opts)) };
    });
  });
}
