/**
 * @file What a request sends, read into samples through the model's modality codec: JSON
 * (`inputs`: strings; for a file codec each string is a file's base64, for a line codec one
 * sample's text), multipart uploads (each file part one input file; `part` and `format` as
 * fields) or a raw body (one input file). Codes for `decode` come as JSON rows, JSON latents, or
 * a float32 `.npy`. Every byte count is bounded while reading, and the codec checks the
 * decoded sizes (pixels, seconds, characters) from headers before decoding samples.
 */
import type { FastifyRequest } from 'fastify';
import { decodeNpy, InputLimitError, latentsFromJSON, makeLatent, npyToMatrix, type Latent } from '@latentkit/core';
import { HttpError } from './errors.js';
import { codecLimits, type ResolvedLimits } from './limits.js';
import type { ServedModel } from './models.js';

/** One input file of a request. */
export interface InputFile {
  bytes: Uint8Array;
  name: string;
  /** From a JSON string of a line codec: must hold exactly one sample. */
  single?: boolean;
}

/** A request's input files and its options (from the query, JSON fields or multipart fields). */
export interface RequestInputs {
  files: InputFile[];
  fields: { part?: string; format?: string };
  /** The parsed JSON body, when it was JSON. */
  json?: Record<string, unknown>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 strictly (Buffer.from ignores characters outside the alphabet). */
function base64Bytes(s: string, at: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) throw new HttpError(400, 'LK_BAD_REQUEST', `${at} is not valid base64.`);
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

function isMultipart(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function fieldOf(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) throw new HttpError(400, 'LK_BAD_REQUEST', `'${name}' must be a short string.`);
  return v;
}

/**
 * Reads a request's input files and options.
 * @param served the model (its codec's `unit` says what a JSON string is).
 * @throws {HttpError} 400 for a malformed body, 413 past `maxBodyBytes` or `maxItems` files.
 */
export async function readRequestInputs(req: FastifyRequest, served: ServedModel, limits: ResolvedLimits): Promise<RequestInputs> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const fields: RequestInputs['fields'] = { part: fieldOf(query.part, 'part'), format: fieldOf(query.format, 'format') };
  const files: InputFile[] = [];
  if (isMultipart(req)) {
    try {
      await readMultipart(req, files, fields, limits);
    } catch (e) {
      // The plugin's own limits carry their codes (mapped to 413); anything else the parser
      // throws (a cut-off body, a broken part header) is the request's fault.
      if (e instanceof HttpError || (typeof (e as { code?: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('FST_'))) throw e;
      throw new HttpError(400, 'LK_BAD_REQUEST', `Malformed multipart body: ${(e as Error).message ?? String(e)}.`);
    }
    return { files, fields };
  }
  const body = req.body;
  if (body instanceof Uint8Array) {
    files.push({ bytes: body, name: 'body' });
    return { files, fields };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'LK_BAD_REQUEST', 'Send a JSON object, a multipart form, or the bytes of one input file.');
  const json = body as Record<string, unknown>;
  fields.part = fieldOf(json.part, 'part') ?? fields.part;
  fields.format = fieldOf(json.format, 'format') ?? fields.format;
  if (json.inputs !== undefined) {
    const inputs = json.inputs;
    if (!Array.isArray(inputs)) throw new HttpError(400, 'LK_BAD_REQUEST', "'inputs' must be a list.");
    const line = served.modality.codec.unit === 'line';
    inputs.forEach((v, i) => {
      const at = `inputs[${i}]`;
      if (typeof v === 'string') {
        files.push(line ? { bytes: new TextEncoder().encode(v), name: at, single: true } : { bytes: base64Bytes(v, at), name: at });
      } else if (typeof v === 'object' && v !== null && typeof (v as { base64?: unknown }).base64 === 'string') {
        const name = (v as { name?: unknown }).name;
        files.push({ bytes: base64Bytes((v as { base64: string }).base64, at), name: typeof name === 'string' && name.length <= 200 ? name : at });
      } else {
        throw new HttpError(400, 'LK_BAD_REQUEST', `${at} must be a string (${line ? `a ${served.modality.codec.noun}` : 'base64 of a file'}) or { "base64": "..." }.`);
      }
    });
  }
  return { files, fields, json };
}

/** Reads the parts of a multipart body into `files` and `fields`, bounding the total bytes. */
async function readMultipart(req: FastifyRequest, files: InputFile[], fields: RequestInputs['fields'], limits: ResolvedLimits): Promise<void> {
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (part.fieldname === 'part' || part.fieldname === 'format') fields[part.fieldname] = fieldOf(part.value, part.fieldname);
      else throw new HttpError(400, 'LK_BAD_REQUEST', `Unknown form field '${part.fieldname}' (fields: part, format; inputs are file parts).`);
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      total += chunk.length;
      // The plugin bounds each file; this bounds their sum, as the body limit does for other bodies.
      if (total > limits.maxBodyBytes) {
        throw new HttpError(413, 'LK_BODY_TOO_LARGE', `The uploaded files are larger than maxBodyBytes=${limits.maxBodyBytes}.`, { limit: 'maxBodyBytes', max: limits.maxBodyBytes });
      }
      chunks.push(chunk);
    }
    if (part.file.truncated) {
      throw new HttpError(413, 'LK_BODY_TOO_LARGE', `File '${part.filename}' is larger than maxBodyBytes=${limits.maxBodyBytes}.`, { limit: 'maxBodyBytes', max: limits.maxBodyBytes });
    }
    files.push({ bytes: new Uint8Array(Buffer.concat(chunks)), name: part.filename || `${part.fieldname}[${files.length}]` });
  }
}

/**
 * Decodes input files into samples for the model, through its codec, with the server's limits.
 * @throws {HttpError} 400 when there is no input, 422 when a JSON string holds several samples.
 * @throws {InputLimitError} (422) past `maxItems` or a codec limit; the codec's DecodeError (422) for a bad file.
 */
export async function decodeSamples(files: readonly InputFile[], served: ServedModel, limits: ResolvedLimits): Promise<unknown[]> {
  if (files.length === 0) throw new HttpError(400, 'LK_BAD_REQUEST', `No inputs: send ${served.modality.codec.noun}s as JSON 'inputs', as multipart file parts, or as the body.`);
  if (files.length > limits.maxItems) throw new InputLimitError(`${files.length} inputs, more than maxItems=${limits.maxItems}.`, 'maxItems', limits.maxItems, files.length);
  const { codec } = served.modality;
  const opts = { config: served.model.config, limits: codecLimits(limits) };
  const decoded = await Promise.all(files.map((f) => codec.decode(f.bytes, { ...opts, name: f.name })));
  decoded.forEach((samples, i) => {
    if (files[i].single && samples.length !== 1) {
      throw new HttpError(422, 'LK_BAD_REQUEST', `${files[i].name} holds ${samples.length} lines; each string is one ${codec.noun}.`);
    }
  });
  const samples = decoded.flat();
  if (samples.length > limits.maxItems) throw new InputLimitError(`${samples.length} inputs, more than maxItems=${limits.maxItems}.`, 'maxItems', limits.maxItems, samples.length);
  return samples;
}

/**
 * The codes of a decode request: JSON `codes` (rows of numbers), JSON `latents` (as `encode
 * ?format=latents` answers), or a float32 `.npy` body of shape `[n, d]`.
 * @throws {HttpError} 400 for a malformed body, 422 for rows a model of this modality cannot decode.
 */
export function readCodes(req: FastifyRequest, served: ServedModel, limits: ResolvedLimits): Latent[] {
  const { modality, model } = served;
  const body = req.body;
  let rows: Float32Array[];
  if (body instanceof Uint8Array) {
    const npy = decodeNpy(body, 'body');
    if (npy.dtype !== 'float32' || npy.shape.length !== 2) throw new HttpError(422, 'LK_BAD_REQUEST', `A .npy of codes must be float32 of shape [n, d]; got ${npy.dtype} [${npy.shape.join(', ')}].`);
    const m = npyToMatrix(npy);
    rows = Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.cols, (i + 1) * m.cols));
  } else {
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (json.latents !== undefined) {
      if (Array.isArray(json.latents) && json.latents.length > limits.maxItems) throw tooMany(json.latents.length, limits);
      return latentsFromJSON(json.latents, 'latents');
    }
    const codes = json.codes;
    if (!Array.isArray(codes) || !codes.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
      throw new HttpError(400, 'LK_BAD_REQUEST', "Send 'codes' (a list of rows of finite numbers), 'latents' (as encode ?format=latents answers), or a float32 .npy body.");
    }
    rows = (codes as number[][]).map((r) => Float32Array.from(r));
  }
  if (rows.length === 0) throw new HttpError(400, 'LK_BAD_REQUEST', 'No codes to decode.');
  if (rows.length > limits.maxItems) throw tooMany(rows.length, limits);
  if (modality.rowDecoding) throw new HttpError(422, 'LK_ROWS_NOT_DECODABLE', `${modality.rowDecoding} Send 'latents' (from encode ?format=latents) instead.`);
  return rows.map((r) => makeLatent(r, [r.length], modality.name, String(model.config.kind)));
}

function tooMany(n: number, limits: ResolvedLimits): InputLimitError {
  return new InputLimitError(`${n} codes, more than maxItems=${limits.maxItems}.`, 'maxItems', limits.maxItems, n);
}
