/**
 * @file The models a server answers for: each loaded through core's `loadModel` (any installed
 * modality), paired with its modality descriptor (found by the model's `modality`), with one
 * micro-batcher per operation. Nothing here names a modality: inputs are decoded by the
 * descriptor's codec, parts come from its `parts`, the default part from its `defaultPart`.
 */
import { basename, resolve } from 'node:path';
import {
  findModality,
  initEngine,
  InvalidArgumentError,
  loadModel,
  type Autoencoder,
  type Latent,
  type ModalityDescriptor,
  type ModelConfig,
} from '@latentkit/core';
import { MicroBatcher, type MicroBatcherOptions } from './batcher.js';

/** Any model a server can hold. */
export type AnyModel = Autoencoder<any, any, ModelConfig>;

/** One model to serve: a folder (loaded with core's `loadModel`), or a loaded model. */
export type ModelSpec =
  | {
      /** The name clients use in URLs. @default the folder's name */
      id?: string;
      /** A model folder (`latentkit train --out`). */
      dir: string;
    }
  | {
      id: string;
      /** A loaded model; the server disposes it when it closes unless `keepOpen`. */
      model: AnyModel;
      /** Leave the model undisposed on close (the caller owns it). @default false */
      keepOpen?: boolean;
    };

/** One encode row: a decoded sample and the parts its request wants computed. */
export interface EncodeRow {
  sample: unknown;
  /** Latent parts to compute; undefined: every part. */
  parts: readonly string[] | undefined;
}

/** A model the server answers for. */
export interface ServedModel {
  id: string;
  model: AnyModel;
  modality: ModalityDescriptor;
  /** Where it was loaded from, if from a folder. */
  dir?: string;
  keepOpen: boolean;
  encode: MicroBatcher<EncodeRow, Latent>;
  decode: MicroBatcher<Latent, unknown>;
  reconstruct: MicroBatcher<unknown, unknown>;
}

/** `encode` as models implement it: with the parts to compute. */
interface PartsEncoder {
  encode(inputs: unknown[], options: { parts?: readonly string[] }): Promise<Latent[]>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Union of the parts rows ask for: undefined (every part) if any row wants every part, or if
 * rows that want only the whole code (`[]`) share the batch with rows naming parts: a model
 * may skip the whole code when every part asked for is one it computes without it (the
 * sentence autoencoder's `meaning`), so a `[]` row must not be merged into such a call.
 * Computing more parts than a row asked for never changes that row's parts.
 */
function unionParts(rows: readonly EncodeRow[]): string[] | undefined {
  const out = new Set<string>();
  let wholeOnly = false;
  for (const r of rows) {
    if (r.parts === undefined) return undefined;
    if (r.parts.length === 0) wholeOnly = true;
    for (const p of r.parts) out.add(p);
  }
  return wholeOnly && out.size > 0 ? undefined : [...out];
}

/**
 * Loads (if needed) and wraps each model spec.
 * @param specs the models.
 * @param batching batch size and wait for every model's batchers.
 * @param onBatch metrics hook: (model id, operation, rows, seconds).
 * @throws {InvalidArgumentError} for a bad or repeated id, or a model of a modality no installed package provides.
 * @throws the loader's errors (ModelNotFoundError, ModelFormatError, UnknownModelKindError) for a bad folder.
 */
export async function loadServedModels(
  specs: readonly ModelSpec[],
  batching: MicroBatcherOptions,
  onBatch: (model: string, op: string, rows: number, seconds: number) => void,
): Promise<ServedModel[]> {
  const out: ServedModel[] = [];
  try {
    for (const spec of specs) {
      const id = spec.id ?? basename(resolve((spec as { dir: string }).dir));
      if (!ID.test(id)) throw new InvalidArgumentError(`Model id '${id}' must be 1-64 letters, digits, '.', '_' or '-' (it appears in URLs).`);
      if (out.some((m) => m.id === id)) throw new InvalidArgumentError(`Two models are called '${id}'; give one another id (\`--model other=${'dir' in spec ? spec.dir : id}\`).`);
      await initEngine();
      const model = 'model' in spec ? spec.model : await loadModel(spec.dir);
      const keepOpen = 'model' in spec ? spec.keepOpen === true : false;
      const modality = await findModality(String(model.config.modality));
      if (!modality) {
        if (!keepOpen) model.dispose();
        throw new InvalidArgumentError(`Model '${id}' is of modality '${String(model.config.modality)}', which no installed modality package provides.`);
      }
      const hook = (op: string) => ({ ...batching, onBatch: (rows: number, seconds: number) => onBatch(id, op, rows, seconds) });
      out.push({
        id,
        model,
        modality,
        ...('dir' in spec ? { dir: spec.dir } : {}),
        keepOpen,
        encode: new MicroBatcher(async (rows: EncodeRow[]) => {
          const parts = unionParts(rows);
          // Models take `{ parts }` (BatchingOptions) beyond the Encoder contract; a model without it ignores it.
          return (model as unknown as PartsEncoder).encode(rows.map((r) => r.sample), parts ? { parts } : {});
        }, hook('encode')),
        decode: new MicroBatcher((codes: Latent[]) => model.decode(codes), hook('decode')),
        reconstruct: new MicroBatcher((samples: unknown[]) => model.reconstruct(samples), hook('reconstruct')),
      });
    }
  } catch (e) {
    disposeModels(out);
    throw e;
  }
  return out;
}

/** Disposes the models the server owns. */
export function disposeModels(models: readonly ServedModel[]): void {
  for (const m of models) if (!m.keepOpen) m.model.dispose();
}

/** What `GET /v1/models` says about a model. */
export function describeModel(m: ServedModel): Record<string, unknown> {
  const d = m.modality;
  return {
    id: m.id,
    modality: d.name,
    kind: m.model.config.kind,
    input: { noun: d.codec.noun, extensions: d.codec.extensions, unit: d.codec.unit },
    parts: d.parts.map((p) => ({ name: p.name, describe: p.describe })),
    default_part: d.defaultPart?.(m.model) ?? 'all',
    decodes_rows: d.rowDecoding === undefined,
    ...(d.rowDecoding !== undefined ? { row_decoding: d.rowDecoding } : {}),
  };
}
