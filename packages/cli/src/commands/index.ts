/**
 * @file `latentkit index add|info --db <dir>`: puts a code file and its row manifest into a
 * latent store (one space per modality, one model per space), or shows what a store holds.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { optString, reqString, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

export const indexCommand: CommandModule = {
  command: 'index <action>',
  describe: 'add codes with their row manifest to a latent store (LanceDB folder), or show what it holds',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['add', 'info'], describe: 'add: store codes; info: list the spaces' })
      .option('db', { type: 'string', demandOption: true, describe: 'the store folder (created by the first add)' })
      .option('codes', { type: 'string', describe: 'add: [n, d] float32 .npy from `latentkit encode`' })
      .option('rows', { type: 'string', describe: 'add: its row manifest [default: <codes>.rows.csv]' })
      .option('model', { type: 'string', describe: "add: the model folder that made the codes (recorded, so `search --query` can encode inputs) [default: the modality's default model, if it has one]" })
      .option('modality', { type: 'string', describe: "add: the codes' modality [default: the model's]" })
      .option('part', { type: 'string', describe: 'add: the part of the code the file holds, as given to `encode --part` [default: the model\'s default part]' })
      .example('$0 index add --db codes.db --codes mnist.npy --model models/mnist', 'store mnist.npy with mnist.rows.csv')
      .example('$0 index info --db codes.db', 'spaces, sizes and models of a store'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const db = reqString(argv, 'db');
    const { LatentStore, modelFingerprint } = await import('@latentkit/store');
    if (reqString(argv, 'action') === 'info') {
      const store = await LatentStore.open(db, { mustExist: true });
      try {
        for (const s of await store.info()) {
          ctx.stdout.write(`${s.modality}: ${s.rows} codes of ${s.dim} (${s.metric}, ${s.indexed ? 'IVF index' : 'exact search'}), model ${s.modelId}${s.modelDir ? ` at ${s.modelDir}` : ''}${s.part ? `, part ${s.part}` : ''}\n`);
        }
      } finally {
        store.close();
      }
      return;
    }
    const codesPath = reqString(argv, 'codes', 'the .npy to add.');
    const [{ parseRowsCsv, rowsManifestPath, readManifest }, { readCodes }] = await Promise.all([import('@latentkit/core'), import('../lib/codes.js')]);
    const rowsPath = optString(argv, 'rows') ?? rowsManifestPath(codesPath);
    const modelDir = optString(argv, 'model');
    let modality = optString(argv, 'modality');
    let modelId = 'unknown-model';
    let part = optString(argv, 'part');
    if (modelDir !== undefined) {
      modelId = await modelFingerprint(modelDir);
      const manifest = await readManifest(modelDir);
      const own = String((manifest.config as { modality?: unknown }).modality ?? '');
      if (modality !== undefined && modality !== own) throw new UsageError(`--modality ${modality}, but ${modelDir} is a ${own} model.`);
      modality = own;
      if (part === undefined) {
        const d = ctx.modalities.find((m) => m.name === own);
        if (d?.defaultPart) {
          const { loadAnyModel } = await import('../lib/models.js');
          const model = await loadAnyModel(modelDir, own);
          part = d.defaultPart(model);
          model.dispose();
        }
      }
    }
    if (modality === undefined) throw new UsageError('Give --model (the model that made the codes) or --modality.');
    const d = ctx.modalities.find((m) => m.name === modality);
    if (modelDir === undefined && d?.defaultModel) {
      // No --model: the codes come from the modality's default model, as `encode` without --model makes them.
      modelId = `${d.name}:default-model`;
      if (part === undefined && d.defaultPart) {
        const model = await d.defaultModel.load();
        part = d.defaultPart(model);
        model.dispose();
      }
    }
    const codes = await readCodes(codesPath);
    let rowsText: string;
    try {
      rowsText = await readFile(rowsPath, 'utf8');
    } catch {
      throw new UsageError(`Cannot read the row manifest ${rowsPath}.`, { hint: '`latentkit encode` writes <out>.rows.csv beside the codes; give another with --rows.' });
    }
    const rows = parseRowsCsv(rowsText, { file: rowsPath, expectedRows: codes.rows });
    const store = await LatentStore.open(db);
    try {
      const r = await store.add(codes, rows, {
        modality,
        modelId,
        ...(modelDir !== undefined ? { modelDir: resolve(modelDir) } : {}),
        ...(part !== undefined ? { part } : {}),
      });
      ctx.stdout.write(`added ${r.added} ${modality} codes of ${codes.cols} to ${db}: ids ${r.firstId}-${r.firstId + r.added - 1}, ${r.total} in all, ${r.indexed ? 'IVF index' : 'exact search'}\n`);
    } finally {
      store.close();
    }
  },
};
