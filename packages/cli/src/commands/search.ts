/**
 * @file `latentkit search --db <dir> (--query <file|sentence> | --row N) --k 10`: nearest
 * stored codes with their sources, within a modality or, with `--across <modality> --map
 * map.json`, in another modality's codes through a learned map. A query file or sentence is
 * encoded with the model the store records for its modality, read by that modality's codec.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import type { LatentStore, SpaceInfo } from '@latentkit/store';
import { flag, optNumber, optString, reqString, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

export const searchCommand: CommandModule = {
  command: 'search',
  describe: 'nearest stored codes to an input, a sentence or a stored row, within or across modalities',
  builder: (y: Argv) =>
    y
      .option('db', { type: 'string', demandOption: true, describe: 'the store folder (`latentkit index add`)' })
      .option('query', { type: 'string', describe: 'an input file (image, WAV, ...) or, for a modality of lines, a sentence' })
      .option('row', { type: 'number', describe: 'a stored row (its id) as the query; it finds itself first' })
      .option('modality', { type: 'string', describe: "the query's modality [default: from the file's extension, or the store's only modality]" })
      .option('k', { type: 'number', default: 10, describe: 'neighbours' })
      .option('across', { type: 'string', describe: "search this modality's codes instead (needs --map unless both share a model)" })
      .option('map', { type: 'string', describe: 'a map from the query modality to --across: a RidgeMap or MlpMap saved as JSON' })
      .option('model', { type: 'string', describe: 'encode the query with this model folder instead of the one the store records (must be the same model)' })
      .option('exact', { type: 'boolean', default: false, describe: 'scan every row even when the space has an index' })
      .option('json', { type: 'boolean', default: false, describe: 'print the hits as JSON' })
      .example('$0 search --db codes.db --row 0 --k 5', 'the 5 codes nearest stored row 0 (itself first)')
      .example('$0 search --db codes.db --query digit.png', 'codes nearest an image, encoded with the stored model')
      .example('$0 search --db codes.db --query "a man plays a guitar" --across image --map text-to-image.json', 'images for a sentence, through a map'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const db = reqString(argv, 'db');
    const queryArg = optString(argv, 'query');
    const row = optNumber(argv, 'row', { min: 0, integer: true });
    if ((queryArg === undefined) === (row === undefined)) throw new UsageError('Give --query <file or sentence> or --row N.');
    const k = optNumber(argv, 'k', { min: 1, max: 10_000, integer: true }) ?? 10;
    const across = optString(argv, 'across');
    const mapPath = optString(argv, 'map');
    const { LatentStore, loadLatentMap } = await import('@latentkit/store');
    const store = await LatentStore.open(db, { mustExist: true });
    try {
      const map = mapPath !== undefined ? await loadLatentMap(mapPath) : undefined;
      let modality = optString(argv, 'modality');
      const query =
        row !== undefined
          ? { row, ...(modality !== undefined ? { modality } : {}) }
          : await (async () => {
              const d = queryModality(ctx.modalities, store, queryArg!, modality);
              modality = d.name;
              return { modality: d.name, vector: await encodeQuery(d, store.space(d.name), queryArg!, optString(argv, 'model')) };
            })();
      const hits = await store.search(query, { k, ...(across !== undefined ? { across } : {}), ...(map ? { map } : {}), exact: flag(argv, 'exact') });
      if (flag(argv, 'json')) {
        ctx.stdout.write(JSON.stringify(hits, null, 2) + '\n');
        return;
      }
      ctx.stdout.write(`rank  distance  id      label   source\n`);
      hits.forEach((h, i) => {
        const text = h.text !== undefined ? `  "${h.text}"` : '';
        ctx.stdout.write(`${String(i + 1).padEnd(4)}  ${Math.max(0, h.distance).toFixed(4).padEnd(8)}  ${String(h.id).padEnd(6)}  ${(h.label || '-').padEnd(6)}  ${h.source}${text}\n`);
      });
    } finally {
      store.close();
    }
  },
};

/** The modality of a query: `--modality`, else the one whose codec reads the file's extension, else the one that reads lines (a sentence). */
function queryModality(modalities: readonly ModalityDescriptor[], store: LatentStore, query: string, asked: string | undefined): ModalityDescriptor {
  const held = modalities.filter((m) => store.modalities.includes(m.name));
  if (asked !== undefined) {
    const d = held.find((m) => m.name === asked);
    if (!d) throw new UsageError(`--modality ${asked}: the store holds ${store.modalities.join(', ') || 'nothing'}.`);
    return d;
  }
  const isFile = existsSync(query) && statSync(query).isFile();
  const ext = extname(query).toLowerCase();
  const candidates = isFile ? held.filter((m) => m.codec.extensions.includes(ext)) : held.filter((m) => m.codec.unit === 'line');
  if (candidates.length === 1) return candidates[0];
  throw new UsageError(
    isFile
      ? `No single modality of this store reads ${ext || 'extensionless'} files (the store holds ${store.modalities.join(', ')}); give --modality.`
      : `'${query}' is not a file, and ${candidates.length ? 'several' : 'no'} modality of this store reads sentences; give a file, or --modality.`,
  );
}

/** Reads a query with the modality's codec and encodes it with the store's model for that space. */
async function encodeQuery(d: ModalityDescriptor, space: SpaceInfo, query: string, modelArg: string | undefined): Promise<Float32Array> {
  const [{ resolveModel }, { stackLatents }] = await Promise.all([import('../lib/encode-distributed.js'), import('@latentkit/core')]);
  const modelDir = modelArg ?? space.modelDir;
  if (modelDir === undefined && !d.defaultModel) {
    throw new UsageError(`The store does not record which model made its ${d.name} codes, so a --query cannot be encoded.`, {
      hint: 'Give --model <the model folder>, or search by --row.',
    });
  }
  const { model, modelId } = await resolveModel(d, modelDir, space.part);
  try {
    if (modelId !== space.modelId) {
      throw new UsageError(`The ${d.name} codes in the store come from model ${space.modelId}; ${modelDir ?? 'the default model'} is ${modelId}.`, {
        hint: 'Codes of different models are not comparable; give the model that made the stored codes.',
      });
    }
    const bytes = existsSync(query) && statSync(query).isFile() ? new Uint8Array(await readFile(query)) : new TextEncoder().encode(query);
    const samples = await d.codec.decode(bytes, { config: model.config, name: query });
    if (samples.length !== 1) throw new UsageError(`The query holds ${samples.length} ${d.codec.noun}s; give one.`);
    const { encodeWithProgress, selectNamedPart } = await import('../lib/modality-io.js');
    const part = space.part ?? 'all';
    const wanted = part === 'all' ? [] : [d.parts.find((p) => p.name === part)!.latentPart];
    let latents = await encodeWithProgress(model, samples, { quiet: true }, 1, wanted);
    if (part !== 'all') latents = selectNamedPart([d], d, latents, part);
    return stackLatents(latents).data;
  } finally {
    model.dispose();
  }
}
