/**
 * @file `npm run bench -- queue [--quick] [--json file] [--images n] [--kills n]`: distributed
 * encoding through the CLI a user runs, on a redis-server this suite starts (127.0.0.1, free
 * port, no persistence):
 * - reference: `latentkit encode image` in one process over MNIST training images as PNGs;
 * - one worker vs two workers: a standing pool of `latentkit worker`s (started first, each
 *   waiting on the queue, as a deployment runs them), then `encode --queue` and `latentkit
 *   collect`; wall time from the end of the submit to the joined `codes.npy`, and the speed-up of two over
 *   one (target >= 1.7x on 2 cores). Worker start-up (about 2-4 s of CPU each: tsx, tfjs) is
 *   left out because a pool pays it once, not per run; the first job still loads the model.
 *   Each worker is one process encoding on tfjs-wasm, which runs single-threaded in Node (no
 *   wasm threads), one job of 1,024 images at a time: Redis is touched a few times per job,
 *   i.e. every few seconds;
 * - kills: two workers, one SIGKILLed at a random moment `--kills` times (each replaced at
 *   once); the joined codes must equal the reference byte for byte.
 * The model is the conv architecture `latentkit train image` makes (32-d code), saved with
 * its initial weights: encoding cost does not depend on the weights. The machine is shared,
 * so the load average is reported with every figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConvImageAutoencoder, encodePng, loadMnist } from '@latentkit/image';
import { startRedis } from '@latentkit/queue';
import { numberArg, requireData, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = resolve(REPO, 'packages', 'cli', 'src', 'bin.ts');

interface Proc {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

function latentkit(args: string[]): Proc {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out, done: new Promise((res) => child.on('exit', (c) => res(c))) };
}

async function ok(p: Proc, what: string): Promise<string> {
  const code = await p.done;
  if (code !== 0) throw new Error(`${what} exited ${code}: ${p.out().slice(-2000)}`);
  return p.out();
}

/** Resolves once a process has printed `text` (rejects if it exits first). */
function printed(p: Proc, text: string): Promise<void> {
  return new Promise((res, rej) => {
    const check = () => {
      if (p.out().includes(text)) {
        p.child.stdout!.off('data', check);
        p.child.stderr!.off('data', check);
        res();
      }
    };
    p.child.stdout!.on('data', check);
    p.child.stderr!.on('data', check);
    void p.done.then((code) => rej(new Error(`exited ${code} before printing '${text}': ${p.out().slice(-2000)}`)));
    check();
  });
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  return (await readFile(a)).equals(await readFile(b));
}

async function run(ctx: BenchContext) {
  const images = numberArg(ctx.args, 'images') ?? (ctx.quick ? 6_000 : 60_000);
  const kills = numberArg(ctx.args, 'kills') ?? (ctx.quick ? 3 : 10);
  const load: Record<string, number> = { start: loadavg()[0] };
  const dir = await mkdtemp(join(tmpdir(), 'lk-bench-queue-'));
  const redis = await startRedis();
  try {
    const mnist = await loadMnist(requireData(ctx.dataDir, 'mnist'), 'train', { limit: images });
    const pngs = join(dir, 'pngs');
    await mkdir(pngs);
    // Plain writes: these are the bench's own throw-away inputs, and writePng's atomic write
    // (temp file, fsync, rename) made preparing 60,000 files take about 5 minutes here.
    for (let i = 0; i < mnist.images.length; i++) await writeFile(join(pngs, `${String(i).padStart(5, '0')}.png`), await encodePng(mnist.images[i]));
    const model = join(dir, 'model');
    const ae = ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 32 });
    await ae.save(model);
    ae.dispose();
    ctx.log(`${images} MNIST images as PNG; conv model (32-d); load average ${load.start.toFixed(1)} (2 cores)`);

    const t0 = performance.now();
    await ok(latentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', join(dir, 'reference.npy'), '--quiet']), 'encode');
    const referenceS = (performance.now() - t0) / 1000;
    load.after_reference = loadavg()[0];
    ctx.log(`single-process encode: ${referenceS.toFixed(1)} s`);

    const distributed = async (name: string, workers: number, killCount = 0) => {
      const queue = redis.url(name);
      const out = join(dir, `${name}.npy`);
      const start = () => latentkit(['worker', '--queue', queue, '--model', model]);
      let live = Array.from({ length: workers }, start);
      const all = [...live];
      await Promise.all(live.map((w) => printed(w, 'waiting for jobs')));
      // Timed from the end of the submit (a CLI start-up, the same for any pool): its jobs are
      // added in its last milliseconds.
      await ok(latentkit(['encode', 'image', '--model', model, '--in', pngs, '--out', out, '--queue', queue, '--quiet']), 'encode --queue');
      const t = performance.now();
      const collect = latentkit(['collect', '--queue', queue, '--quiet']);
      let killed = 0;
      while (killed < killCount && collect.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 6_000));
        if (collect.child.exitCode !== null) break;
        const victim = live[Math.floor(Math.random() * live.length)];
        victim.child.kill('SIGKILL');
        await victim.done;
        killed++;
        const fresh = start();
        all.push(fresh);
        live = live.filter((w) => w !== victim).concat(fresh);
      }
      await ok(collect, 'collect');
      const seconds = (performance.now() - t) / 1000;
      // The pool is stopped as a deployment would stop it: SIGTERM, the current job finished.
      for (const w of live) w.child.kill('SIGTERM');
      for (const w of live) await ok(w, 'worker');
      const identical = await sameBytes(out, join(dir, 'reference.npy'));
      return { seconds, killed, identical, workers_started: all.length };
    };

    const one = await distributed('one', 1);
    load.after_one = loadavg()[0];
    ctx.log(`1 worker: ${one.seconds.toFixed(1)} s, identical=${one.identical}`);
    const two = await distributed('two', 2);
    load.after_two = loadavg()[0];
    ctx.log(`2 workers: ${two.seconds.toFixed(1)} s, identical=${two.identical}`);
    const chaos = await distributed('kills', 2, kills);
    load.end = loadavg()[0];
    ctx.log(`2 workers, ${chaos.killed} SIGKILLs: ${chaos.seconds.toFixed(1)} s, identical=${chaos.identical}`);
    const speedup = one.seconds / two.seconds;
    ctx.log(
      formatTable([
        { run: 'encode (1 process)', seconds: referenceS, images_per_s: images / referenceS, identical: '-' },
        { run: '1 worker', seconds: one.seconds, images_per_s: images / one.seconds, identical: one.identical },
        { run: '2 workers', seconds: two.seconds, images_per_s: images / two.seconds, identical: two.identical },
        { run: `2 workers, ${chaos.killed} SIGKILLs`, seconds: chaos.seconds, images_per_s: images / chaos.seconds, identical: chaos.identical },
      ]),
    );
    ctx.log(`speed-up of 2 workers over 1: ${speedup.toFixed(2)}x (target >= 1.7x); load average ${Object.entries(load).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    return {
      images,
      reference_s: referenceS,
      one_worker: one,
      two_workers: two,
      kills: chaos,
      speedup,
      target: { speedup: 1.7, met: speedup >= 1.7, identical_after_kills: chaos.identical },
      load_average: { ...load, cores: 2 },
    };
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: 'queue',
  description: 'distributed encoding on BullMQ: 1 vs 2 workers on MNIST, and SIGKILLed workers against a single-process encode',
  run,
};
export default suite;
