/**
 * @file `npm run bench -- serve [--quick] [--requests n] [--soak n]`: `latentkit serve` under
 * load from autocannon, both on 127.0.0.1 and in separate processes (the server is the CLI a
 * user runs, from source). For an image model (the conv AE `latentkit train image` makes for
 * 28x28 images; untrained weights, which cost the same) and the shipped sentence model (its
 * default meaning code): throughput and p50/p99 latency at 1, 16 and 64 concurrent clients, one
 * input per request, with the mean rows per forward pass the server's micro-batcher formed; next
 * to in-process batch encoding of the same inputs in this run (bytes decoded by the same codec,
 * then `encode` in batches of 64). Then a soak: RSS and tfjs tensors of the server before and
 * after 100,000 image requests (`--quick`: 5,000) at 64 clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { initEngine, registerModality, type ModalityDescriptor } from '@latentkit/core';
import { numberArg, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = resolve(REPO, 'packages', 'cli', 'src', 'bin.ts');
const CONCURRENCY = [1, 16, 64];

/** One autocannon run's figures. */
interface LoadRow {
  model: string;
  clients: number;
  requests: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
  mean_batch_rows: number;
  /** Answer format (`?format=`). */
  format: 'json' | 'npy';
  /** CPU time of the server process per request (user + system; load on the machine does not inflate it). */
  server_cpu_ms_per_req: number;
}

/** The server child: its URL and pid. */
interface Served {
  child: ChildProcess;
  url: string;
}

async function startServer(args: string[], log: (m: string) => void): Promise<Served> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'serve', '--port', '0', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (m) res(m[1]);
    });
    child.on('close', (code) => rej(new Error(`latentkit serve exited ${code}: ${err}`)));
  });
  log(`server: latentkit serve ${args.join(' ')} -> ${url} (pid ${child.pid})`);
  return { child, url };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function metric(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Rows and batches the server ran for a model's encodes so far. */
async function batchTotals(url: string, model: string): Promise<{ rows: number; batches: number }> {
  const t = await scrape(url);
  return {
    rows: metric(t, new RegExp(`latentkit_batch_rows_sum\\{model="${model}",op="encode"\\} (\\d+)`)),
    batches: metric(t, new RegExp(`latentkit_batch_rows_count\\{model="${model}",op="encode"\\} (\\d+)`)),
  };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** One input per request, cycling through `bodies`. */
async function load(server: Served, model: string, bodies: string[], clients: number, amount: number, format: 'json' | 'npy' = 'json'): Promise<LoadRow> {
  const { url } = server;
  const before = await batchTotals(url, model);
  const cpu0 = cpuSeconds(server.child.pid!);
  let i = 0;
  // Timed here, from the start to the last answer: with `amount`, autocannon ends its run (and
  // its own duration) on its next one-second tick, which quantised req/s on short runs.
  let first = 0;
  let last = 0;
  const result = await new Promise<autocannon.Result>((res, rej) => {
    const instance = autocannon({
      url,
      connections: clients,
      amount,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          path: `/v1/models/${model}/encode${format === 'json' ? '' : `?format=${format}`}`,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
        },
      ],
    }, (err: unknown, r: autocannon.Result) => (err ? rej(err) : res(r)));
    first = performance.now();
    instance.on('response', () => {
      last = performance.now();
    });
  });
  const seconds = Math.max(1e-3, (last - first) / 1000);
  const cpu = cpuSeconds(server.child.pid!) - cpu0;
  const after = await batchTotals(url, model);
  return {
    model,
    clients,
    requests: result.requests.total,
    req_per_s: Math.round((result.requests.total / seconds) * 10) / 10,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    mean_batch_rows: Math.round(((after.rows - before.rows) / Math.max(1, after.batches - before.batches)) * 10) / 10,
    format,
    server_cpu_ms_per_req: Math.round((cpu / Math.max(1, result.requests.total)) * 1e5) / 100,
  };
}

/** Inputs per second of in-process encoding: the same bytes through the codec, then `encode` in batches of 64. */
async function inProcess(modality: ModalityDescriptor, model: { config: any; encode(x: unknown[], o?: { parts?: readonly string[]; batchSize?: number }): Promise<unknown[]> }, files: Uint8Array[], parts: readonly string[], n: number): Promise<{ per_s: number; encode_only_per_s: number }> {
  const bytes = Array.from({ length: n }, (_, i) => files[i % files.length]);
  const t0 = performance.now();
  const samples = (await Promise.all(bytes.map((b) => modality.codec.decode(b, { config: model.config })))).flat();
  const t1 = performance.now();
  for (let s = 0; s < n; s += 64) await model.encode(samples.slice(s, s + 64), { parts, batchSize: 64 });
  const t2 = performance.now();
  return { per_s: Math.round(n / ((t2 - t0) / 1000)), encode_only_per_s: Math.round(n / ((t2 - t1) / 1000)) };
}

const suite: BenchSuite = {
  name: 'serve',
  description: 'latentkit serve under autocannon: throughput and p50/p99 at 1/16/64 clients (image and text), next to in-process batch encoding; RSS over a long run',
  async run(ctx: BenchContext) {
    const perLevel = numberArg(ctx.args, 'requests') ?? (ctx.quick ? 1000 : 5000);
    const soak = numberArg(ctx.args, 'soak') ?? (ctx.quick ? 5000 : 100_000);
    const load0 = loadavg();
    ctx.log(`load average at start: ${load0.map((x) => x.toFixed(1)).join(' ')}; ${perLevel} requests per level, soak ${soak}`);
    await initEngine();
    const [image, text] = await Promise.all([import('@latentkit/image'), import('@latentkit/text')]);
    registerModality(image.modality);
    registerModality(text.modality);
    const dir = await mkdtemp(join(tmpdir(), 'lk-bench-serve-'));
    const imageModel = image.ConvImageAutoencoder.create({ inputShape: [28, 28, 1] });
    await imageModel.save(join(dir, 'digits'));
    const { images } = await image.syntheticGlyphs({ count: 64, seed: 11 });
    const pngs = await Promise.all(images.map((im) => image.encodePng(im)));
    const sentences = [
      'the cat sat on the mat', 'a dog runs in the park', 'seven apples on a table', 'it will rain today',
      'she reads a long book', 'the train leaves at noon', 'two birds sing in a tree', 'he paints the old fence',
    ];
    const textModel = await text.SentenceAutoencoder.loadDefault();

    // In-process reference first, while no server competes for the cores.
    const n = ctx.quick ? 1024 : 4096;
    const refImage = await inProcess(image.modality, imageModel, pngs, [], n);
    const refText = await inProcess(text.modality, textModel, sentences.map((s) => new TextEncoder().encode(s)), [textModel.defaultPart ?? 'meaning'], n);
    imageModel.dispose();
    textModel.dispose();
    const reference = [
      { model: 'digits (image conv AE)', per_s: refImage.per_s, encode_only_per_s: refImage.encode_only_per_s },
      { model: 'text (shipped sentence AE, meaning)', per_s: refText.per_s, encode_only_per_s: refText.encode_only_per_s },
    ];
    ctx.log('\nin-process batch encoding (batches of 64; per_s includes decoding the same bytes with the codec):');
    ctx.log(formatTable(reference));

    const server = await startServer(['--model', join(dir, 'digits'), '--default-model', 'text', '--quiet'], ctx.log);
    const rows: LoadRow[] = [];
    let soakResult: Record<string, unknown> = {};
    try {
      const imageBodies = pngs.map((p) => JSON.stringify({ inputs: [Buffer.from(p).toString('base64')] }));
      const textBodies = sentences.map((s) => JSON.stringify({ inputs: [s] }));
      // Warm-up: first requests compile kernels and fill caches.
      await load(server, 'digits', imageBodies, 4, 200);
      await load(server, 'text', textBodies, 4, 200);
      await load(server, 'text', textBodies, 4, 200, 'npy');
      for (const [model, bodies] of [['digits', imageBodies], ['text', textBodies]] as const) {
        for (const c of CONCURRENCY) {
          const r = await load(server, model, bodies, c, c === 1 ? Math.min(perLevel, 1000) : perLevel);
          rows.push(r);
          ctx.log(`${model} x${c}: ${r.req_per_s} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, mean batch ${r.mean_batch_rows} rows, server CPU ${r.server_cpu_ms_per_req} ms/req, non-2xx ${r.non_2xx}`);
        }
      }
      // The same text load answered as .npy: what writing the JSON text costs (the meaning code is 6,444 wide).
      const npy = await load(server, 'text', textBodies, 16, perLevel, 'npy');
      rows.push(npy);
      ctx.log(`text x16 format=npy: ${npy.req_per_s} req/s, p50 ${npy.p50_ms} ms, server CPU ${npy.server_cpu_ms_per_req} ms/req`);
      ctx.log('');
      ctx.log(formatTable(rows.map((r) => ({ ...r, vs_in_process: Math.round((r.req_per_s / (r.model === 'digits' ? refImage.per_s : refText.per_s)) * 100) / 100 }))));

      const pid = server.child.pid!;
      const tensors = async () => metric(await scrape(server.url), /^latentkit_tfjs_tensors (\d+)/m);
      const rssBefore = rssMb(pid);
      const tensorsBefore = await tensors();
      const t0 = performance.now();
      const s = await load(server, 'digits', imageBodies, 64, soak);
      const seconds = (performance.now() - t0) / 1000;
      soakResult = {
        requests: s.requests,
        seconds: Math.round(seconds),
        req_per_s: s.req_per_s,
        p99_ms: s.p99_ms,
        non_2xx: s.non_2xx,
        errors: s.errors,
        rss_before_mb: rssBefore,
        rss_after_mb: rssMb(pid),
        tfjs_tensors_before: tensorsBefore,
        tfjs_tensors_after: await tensors(),
      };
      ctx.log(`\nsoak: ${soak} image requests at 64 clients in ${Math.round(seconds)} s: RSS ${soakResult.rss_before_mb} -> ${soakResult.rss_after_mb} MB, tfjs tensors ${tensorsBefore} -> ${soakResult.tfjs_tensors_after}, non-2xx ${s.non_2xx}, errors ${s.errors}`);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('close', r));
      await rm(dir, { recursive: true, force: true });
    }
    const load1 = loadavg();
    ctx.log(`load average at end: ${load1.map((x) => x.toFixed(1)).join(' ')}`);
    return {
      quick: ctx.quick,
      requests_per_level: perLevel,
      load_average: { start: load0, end: load1 },
      in_process: reference,
      load: rows,
      soak: soakResult,
      note: 'server: latentkit serve (one process, default limits and batching); client: autocannon in the bench process; one input per request, JSON unless format says npy; server_cpu_ms_per_req from /proc/<pid>/stat.',
    };
  },
};

export default suite;
