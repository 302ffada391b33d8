/**
 * @file `latentkit serve`: answers encode, decode and reconstruct requests for model folders over
 * HTTP (@latentkit/server), on 127.0.0.1 unless told otherwise, until SIGTERM or SIGINT, which
 * drain the requests in flight before the process exits. Any modality's models: they load
 * through core's `loadModel` and their inputs decode through their modality's codec.
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';
import { optNumber, optString, stringList, type Args } from '../lib/args.js';
import type { AnyModel } from '../lib/models.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

/** Limit flags and the server limit each sets. */
const LIMIT_FLAGS = [
  ['max-body-bytes', 'maxBodyBytes', 'largest request body in bytes (413 past it)', true],
  ['max-pixels', 'maxPixels', 'most pixels of one image, from its header (422)', true],
  ['max-seconds', 'maxSeconds', 'most seconds of one clip, from its header (422)', false],
  ['max-chars', 'maxChars', 'most characters of one sentence (422)', true],
  ['max-items', 'maxItems', 'most inputs or codes per request (422)', true],
  ['timeout-ms', 'timeoutMs', 'a request not answered in this time gets 503', true],
  ['max-concurrent', 'maxConcurrentRequests', 'requests handled at once; one more gets 429', true],
  ['max-queued-rows', 'maxQueuedRows', 'rows waiting per model and operation; past it 429', true],
] as const;

/** `serve` for the given modalities (`--default-model` offers those with a shipped model). */
export function serveCommand(modalities: readonly ModalityDescriptor[]): CommandModule {
  const withDefault = modalities.filter((m) => m.defaultModel);
  return {
    command: 'serve',
    describe: 'serve models over HTTP: encode, decode, reconstruct, health, Prometheus metrics',
    builder: (y: Argv) => {
      let b = y
        .option('model', { type: 'string', array: true, describe: 'a model folder to serve, as [id=]dir (the id, in URLs, defaults to the folder name); repeatable' })
        .option('default-model', { type: 'string', array: true, choices: withDefault.map((m) => m.name), describe: `serve a modality's shipped model under its modality's name: ${withDefault.map((m) => `${m.name}: ${m.defaultModel!.describe}`).join('; ') || 'none here'}` })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (0.0.0.0 makes it reachable from other machines)' })
        .option('port', { type: 'number', default: 8080, describe: 'port (0: a free one, printed)' })
        .option('max-batch-rows', { type: 'number', describe: 'most rows per forward pass [default: 64]' })
        .option('max-wait-ms', { type: 'number', describe: 'how long an idle queue waits for more rows before a batch [default: 2]' })
        .option('db', { type: 'string', describe: 'a latent store (`latentkit index add --db`) to answer POST /v1/search and /v1/models/<id>/search from' })
        .option('log', { type: 'boolean', default: false, describe: 'log every request (JSON lines on stdout)' });
      for (const [name, , describe] of LIMIT_FLAGS) b = b.option(name, { type: 'number', describe });
      return b
        .example('$0 serve --model models/glyphs --default-model text --port 8080', 'serve an image model as /v1/models/glyphs and the shipped sentence model as /v1/models/text')
        .example("curl --data-binary @seven.png -H 'content-type: image/png' localhost:8080/v1/models/glyphs/encode", 'the code of one image, as JSON');
    },
    async run(argv: Args, ctx: CommandContext): Promise<void> {
      const specs = stringList(argv, 'model').map((s) => {
        const eq = s.indexOf('=');
        // `id=dir`, unless the '=' belongs to the path (a folder name with '=' in it and no id before it).
        return eq > 0 && !s.slice(0, eq).includes('/') ? { id: s.slice(0, eq), dir: s.slice(eq + 1) } : { dir: s };
      });
      const defaults = stringList(argv, 'default-model');
      if (specs.length === 0 && defaults.length === 0) throw new UsageError('Name at least one model: --model <dir> or --default-model <modality>.');
      const port = optNumber(argv, 'port', { min: 0, max: 65535, integer: true }) ?? 8080;
      const host = optString(argv, 'host') ?? '127.0.0.1';
      const limits: Record<string, number> = {};
      for (const [name, key, , integer] of LIMIT_FLAGS) {
        const v = optNumber(argv, name, { min: integer ? 1 : 0.001, integer });
        if (v !== undefined) limits[key] = v;
      }
      const maxBatchRows = optNumber(argv, 'max-batch-rows', { min: 1, integer: true });
      const maxWaitMs = optNumber(argv, 'max-wait-ms', { min: 0 });

      const [{ createServer }, { loadAnyModel }] = await Promise.all([import('@latentkit/server'), import('../lib/models.js')]);
      const models: { id?: string; dir?: string; model: AnyModel }[] = [];
      try {
        for (const s of specs) models.push({ ...(s.id !== undefined ? { id: s.id } : {}), model: await loadAnyModel(s.dir), dir: s.dir });
        for (const name of defaults) models.push({ id: name, model: await withDefault.find((m) => m.name === name)!.defaultModel!.load() });
      } catch (e) {
        for (const m of models) m.model.dispose();
        throw e;
      }
      const ids = models.map((m) => m.id ?? folderId(m.dir!));
      const db = optString(argv, 'db');
      let store: import('@latentkit/store').LatentStore | undefined;
      let matches: ((id: string, modality: string) => boolean) | undefined;
      if (db !== undefined) {
        const { LatentStore, modelFingerprint } = await import('@latentkit/store');
        store = await LatentStore.open(db, { mustExist: true });
        // A served folder must be the model that made the store's codes of its modality.
        const prints = new Map<string, string>();
        for (const [i, m] of models.entries()) if (m.dir) prints.set(ids[i], await modelFingerprint(m.dir));
        const spaces = new Map((await store.info()).map((sp) => [sp.modality, sp.modelId]));
        matches = (id, modality) => !prints.has(id) || prints.get(id) === spaces.get(modality);
      }
      const server = await createServer({
        models: models.map((m, i) => ({ id: ids[i], model: m.model })),
        ...(store ? { search: { store, ...(matches ? { matches } : {}) } } : {}),
        limits,
        batching: { ...(maxBatchRows !== undefined ? { maxBatchRows } : {}), ...(maxWaitMs !== undefined ? { maxWaitMs } : {}) },
        logger: argv.log === true ? { level: 'info' } : false,
      }).catch((e: unknown) => {
        for (const m of models) m.model.dispose();
        store?.close();
        throw e;
      });
      const url = await server.listen({ host, port });
      server.models.forEach((m, i) => ctx.log(`model ${m.id}: ${m.modality.name} ${String(m.model.config.kind)}${models[i].dir ? ` from ${models[i].dir}` : ''}`));
      ctx.stdout.write(`listening on ${url}/ (models: ${server.models.map((m) => m.id).join(', ')})\n`);
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: NodeJS.Signals) => {
          ctx.log(`${signal}: finishing the requests in flight, then stopping`);
          // A second signal while draining stops at once.
          process.once(signal, () => process.exit(1));
          server.close().then(resolve, reject);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      store?.close();
      ctx.log('stopped');
    },
  };
}

/** The id a folder is served under: its last path segment. */
function folderId(dir: string): string {
  return dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || dir;
}
