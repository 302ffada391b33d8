/**
 * @file `latentkit worker --queue redis://host:port/name [--model dir]`: takes encoding jobs
 * that `encode --queue` put on a BullMQ queue and writes each one's shard. Run one per core,
 * on as many machines as share the Redis and the shard folder. Any modality: the job names it.
 */
import type { Argv } from 'yargs';
import { flag, optString, reqString, type Args } from '../lib/args.js';
import type { CommandContext, CommandModule } from '../lib/context.js';
import { UsageError } from '../lib/usage-error.js';

export const workerCommand: CommandModule = {
  command: 'worker',
  describe: 'encode jobs from a queue that `encode --queue` filled (one worker per core, any number of machines)',
  builder: (y: Argv) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'the queue: redis://host:port/<name> (rediss:// for TLS)' })
      .option('model', { type: 'string', describe: 'model folder: the model the jobs were submitted with (checked by fingerprint); default: the modality\'s default model' })
      .option('exit-when-idle', { type: 'boolean', default: false, describe: 'exit once the queue has no job waiting or running (batch schedulers); default: run until SIGTERM/SIGINT' })
      .example('$0 worker --queue redis://127.0.0.1:6379/mnist --model models/mnist', 'encode jobs until stopped')
      .example('$0 worker --queue redis://10.0.0.5:6379/mnist --model models/mnist --exit-when-idle', 'on another machine, until the queue is empty'),
  async run(argv: Args, ctx: CommandContext): Promise<void> {
    const url = reqString(argv, 'queue');
    const modelDir = optString(argv, 'model');
    const [queue, dist, { resolveModel }, { modalityNamed }, { loadAnyModel }] = await Promise.all([
      import('@latentkit/queue'),
      import('../lib/distributed.js'),
      import('../lib/encode-distributed.js'),
      import('../lib/modality-io.js'),
      import('../lib/models.js'),
    ]);
    const address = queue.parseQueueUrl(url);
    // A --model folder is loaded before the worker waits (engine start, weights, fingerprint:
    // seconds that would otherwise land on the first job of every run); the shipped default
    // model is loaded for the first job, whose modality names it. Either is kept.
    let loaded: { model: Awaited<ReturnType<typeof resolveModel>>['model']; modelId: string } | undefined;
    if (modelDir !== undefined) {
      const { modelFingerprint } = await import('@latentkit/store');
      loaded = { model: await loadAnyModel(modelDir), modelId: await modelFingerprint(modelDir) };
    }
    const stop = new AbortController();
    const onSignal = () => {
      ctx.log('worker: stopping after the current job');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const t0 = performance.now();
    let rows = 0;
    try {
      ctx.log(`worker ${process.pid}: waiting for jobs on ${address.display}`);
      const encoded = await queue.runWorker(
        address,
        async (job) => {
          const d = modalityNamed(ctx.modalities, job.modality);
          if (!loaded) loaded = await resolveModel(d, modelDir, job.part);
          else if (loaded.model.config.modality !== d.name) {
            throw new UsageError(`This worker's model (${modelDir ?? 'default'}) is a ${String(loaded.model.config.modality)} model; job ${job.index} holds ${d.name} inputs.`, {
              hint: 'Give the worker the --model folder that `encode --queue` used.',
            });
          }
          if (loaded.modelId !== job.modelId) {
            throw new UsageError(`This worker's model is ${loaded.modelId}; job ${job.index} was submitted for model ${job.modelId}.`, {
              hint: 'Give the worker the --model folder that `encode --queue` used.',
            });
          }
          return dist.encodeItems(d, loaded.model, job.items, job.part, { ...ctx.progress, quiet: true });
        },
        {
          exitWhenIdle: flag(argv, 'exit-when-idle'),
          signal: stop.signal,
          onJob: (job, outcome) => {
            rows += outcome === 'encoded' ? job.rows : 0;
            ctx.log(`job ${job.index}: rows ${job.start}-${job.start + job.rows - 1} ${outcome === 'encoded' ? 'encoded' : 'already had its shard'}`);
          },
        },
      );
      const s = (performance.now() - t0) / 1000;
      ctx.stdout.write(`worker ${process.pid}: ${encoded} jobs, ${rows} rows in ${s.toFixed(1)} s\n`);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      loaded?.model.dispose();
    }
  },
};
