/**
 * @file `npm run bench -- engine`: training and encoding throughput of the reference models on
 * every backend that loads, and the same models in PyTorch (bench/reference/torch_models.py)
 * when a Python with torch is present, interleaved so ratios hold on a noisy machine.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  TfAutoencoder,
  VectorAutoencoder,
  createRng,
  describeEngine,
  initEngine,
  registerWasmKernels,
  tf,
  unregisterWasmKernels,
  type BackendName,
  type LossOutput,
  type ModelConfig,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';
import { median, peakRssMb, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';

interface ConvBenchConfig extends ModelConfig {
  kind: 'bench/conv-ae';
  version: 1;
  modality: 'bench';
}

/** 28x28x1 -> conv 16 s2 -> conv 32 s2 -> dense 16 -> mirrored decoder (the conv AE). */
class ConvBenchAutoencoder extends TfAutoencoder<Float32Array, Float32Array, ConvBenchConfig> {
  static readonly kind = 'bench/conv-ae';
  constructor(config: ConvBenchConfig, networks: Record<string, tf.LayersModel>) {
    super(config, networks);
  }
  static create(): ConvBenchAutoencoder {
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const x = tf.input({ shape: [28, 28, 1] });
    let h = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const code = tf.layers.dense({ units: 16, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
    const z = tf.input({ shape: [16] });
    let d = tf.layers.dense({ units: 7 * 7 * 32, activation: 'relu', kernelInitializer: init(4) }).apply(z) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [7, 7, 32] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(5) }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: init(6) }).apply(d) as tf.SymbolicTensor;
    return new ConvBenchAutoencoder({ kind: 'bench/conv-ae', version: 1, modality: 'bench' }, {
      encoder: tf.model({ inputs: x, outputs: code }),
      decoder: tf.model({ inputs: z, outputs: d }),
    });
  }
  get codeShape() {
    return [16];
  }
  collate(samples: Float32Array[]): TensorBatch {
    const data = new Float32Array(samples.length * 784);
    samples.forEach((s, i) => data.set(s, i * 784));
    return { x: tf.tensor4d(data, [samples.length, 28, 28, 1]) };
  }
  protected encodeBatch(b: TensorBatch, training: boolean) {
    return this.networks.encoder.apply(b.x, { training }) as tf.Tensor;
  }
  protected decodeCodes(z: tf.Tensor) {
    return this.networks.decoder.apply(z) as tf.Tensor;
  }
  loss(b: TensorBatch, ctx: StepContext): LossOutput {
    return { loss: tf.losses.meanSquaredError(b.x, this.decodeCodes(this.encodeBatch(b, ctx.training))) as tf.Scalar };
  }
  protected async toOutputs(t: tf.Tensor) {
    return [(await t.data()) as Float32Array];
  }
}

interface SeqBenchConfig extends ModelConfig {
  kind: 'bench/seq-ae';
  version: 1;
  modality: 'bench';
}

/**
 * Sequence AE over [40, 16] sequences, parallel over time (conv1d 128 k5, conv1d 128 k5 s2,
 * dense 32; mirrored decoder with nearest upsampling): latentkit's answer to a GRU, whose
 * unrolled steps cost ~10,000 kernel calls per batch on wasm.
 */
class SeqBenchAutoencoder extends ConvBenchAutoencoder {
  static createSeq(): SeqBenchAutoencoder {
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const x = tf.input({ shape: [40, 16] });
    let h = tf.layers.conv1d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.conv1d({ filters: 128, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const code = tf.layers.dense({ units: 32, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
    const z = tf.input({ shape: [32] });
    let d = tf.layers.dense({ units: 20 * 128, activation: 'relu', kernelInitializer: init(4) }).apply(z) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [20, 128] }).apply(d) as tf.SymbolicTensor;
    // tfjs has no upSampling1d: nearest x2 over time through a [t, 1, c] image.
    d = tf.layers.reshape({ targetShape: [20, 1, 128] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.upSampling2d({ size: [2, 1] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [40, 128] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv1d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(5) }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv1d({ filters: 16, kernelSize: 5, padding: 'same', kernelInitializer: init(6) }).apply(d) as tf.SymbolicTensor;
    const config = { kind: 'bench/seq-ae', version: 1, modality: 'bench' } as SeqBenchConfig as unknown as ConvBenchConfig;
    return new SeqBenchAutoencoder(config, { encoder: tf.model({ inputs: x, outputs: code }), decoder: tf.model({ inputs: z, outputs: d }) });
  }
  override get codeShape() {
    return [32];
  }
  override collate(samples: Float32Array[]): TensorBatch {
    const data = new Float32Array(samples.length * 640);
    samples.forEach((s, i) => data.set(s.subarray(0, 640), i * 640));
    return { x: tf.tensor3d(data, [samples.length, 40, 16]) };
  }
}

type BenchModel = 'dense' | 'conv' | 'sequence';
const MODELS: Record<BenchModel, () => TfAutoencoder<Float32Array, Float32Array>> = {
  dense: () => VectorAutoencoder.create({ inputDim: 784, latentDim: 32, hidden: [256], outputActivation: 'sigmoid' }) as unknown as TfAutoencoder<Float32Array, Float32Array>,
  conv: () => ConvBenchAutoencoder.create(),
  sequence: () => SeqBenchAutoencoder.createSeq(),
};

function fakeImages(n: number): Float32Array[] {
  const rng = createRng(5);
  return Array.from({ length: n }, () => Float32Array.from({ length: 784 }, () => (rng() < 0.8 ? 0 : rng())));
}

/** Samples/s of `batches` training steps at batch 128, after a warm-up fit. */
async function trainThroughput(model: TfAutoencoder<Float32Array, Float32Array>, data: Float32Array[], batches: number): Promise<number> {
  const t0 = performance.now();
  await model.fit(data.slice(0, batches * 128), { epochs: 1, batchSize: 128, shuffle: false });
  return (batches * 128) / ((performance.now() - t0) / 1000);
}

async function encodeThroughput(model: TfAutoencoder<Float32Array, Float32Array>, data: Float32Array[]): Promise<number> {
  const t0 = performance.now();
  await model.encode(data, { batchSize: 1024 });
  return data.length / ((performance.now() - t0) / 1000);
}

/** Finds a Python that imports torch (Debian's python3-torch lives in /usr/bin/python3). */
function findTorchPython(): string | undefined {
  for (const py of [process.env.LATENTKIT_TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return undefined;
}

function torchThroughput(py: string, model: BenchModel, batches: number): number | undefined {
  const script = resolve(import.meta.dirname, '..', 'reference', 'torch_models.py');
  const r = spawnSync(py, [script, '--model', model, '--batches', String(batches), '--threads', '1'], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!).samples_per_s as number;
  } catch {
    return undefined;
  }
}

const suite: BenchSuite = {
  name: 'engine',
  description: 'training/encoding throughput of the dense, conv and sequence reference AEs per backend, vs stock tfjs-wasm and PyTorch',
  async run(ctx: BenchContext) {
    const reps = ctx.quick ? 3 : 5;
    const batches = ctx.quick ? 10 : 30;
    const data = fakeImages(Math.max(batches * 128, 10_000));
    const py = findTorchPython();
    ctx.log(py ? `PyTorch reference: ${py}` : 'PyTorch reference: not found (install Debian python3-torch; see bench/README.md); ratios omitted');
    const backends: BackendName[] = [];
    for (const b of ['node', 'wasm', 'cpu'] as BackendName[]) {
      try {
        await initEngine({ backend: b });
        backends.push(b);
      } catch {
        /* not loadable here */
      }
    }
    const results = [];
    for (const backend of backends) {
      const info = await initEngine({ backend });
      ctx.log(describeEngine(info));
      const training = [];
      // cpu is 5-100x slower: fewer batches keep the suite bounded.
      const nb = backend === 'cpu' ? 2 : batches;
      let encode = 0;
      for (const name of Object.keys(MODELS) as BenchModel[]) {
        // The pure-JS cpu backend takes minutes per conv batch; dense alone shows its speed.
        if (backend === 'cpu' && name !== 'dense' && !ctx.args['cpu-all']) {
          training.push({ model: name, samples_per_s: NaN, skipped: 'cpu backend: run with --cpu-all' } as Record<string, unknown> & { model: string; samples_per_s: number });
          continue;
        }
        const model = MODELS[name]();
        await trainThroughput(model, data, 2); // warm-up: kernels compiled, buffers sized
        const ours: number[] = [];
        const ref: number[] = [];
        for (let r = 0; r < (backend === 'cpu' ? 1 : reps); r++) {
          ours.push(await trainThroughput(model, data, nb));
          if (py) {
            const t = torchThroughput(py, name, nb);
            if (t !== undefined) ref.push(t);
          }
        }
        if (name === 'dense') {
          await encodeThroughput(model, data.slice(0, 2048));
          const e: number[] = [];
          for (let r = 0; r < reps; r++) e.push(await encodeThroughput(model, data));
          encode = median(e);
        }
        model.dispose();
        const sps = median(ours);
        const refSps = ref.length ? median(ref) : undefined;
        training.push({ model: name, samples_per_s: Math.round(sps), reference_samples_per_s: refSps && Math.round(refSps), ratio: refSps ? Number((sps / refSps).toFixed(3)) : undefined } as Record<string, unknown> & { model: string; samples_per_s: number });
      }
      if (backend === 'wasm') {
        // Stock tfjs-backend-wasm in the same process: the baseline latentkit's kernels must beat.
        unregisterWasmKernels();
        try {
          for (const row of training) {
            const model = MODELS[row.model as BenchModel]();
            try {
              await trainThroughput(model, data, 1);
              const stock: number[] = [];
              for (let r = 0; r < Math.min(reps, 3); r++) stock.push(await trainThroughput(model, data, Math.max(2, Math.round(nb / 3))));
              Object.assign(row, { stock_wasm_samples_per_s: Math.round(median(stock)), vs_stock: Number((row.samples_per_s / median(stock)).toFixed(2)) });
            } catch (e) {
              Object.assign(row, { stock_wasm_samples_per_s: null, vs_stock: null, stock_error: (e as Error).message.split('\n')[0] });
            } finally {
              model.dispose();
            }
          }
        } finally {
          registerWasmKernels();
        }
      }
      console.log(`\n${backend}:\n` + formatTable(training));
      console.log(`dense encode: ${Math.round(encode)} samples/s`);
      results.push({ backend, training, encode_samples_per_s: Math.round(encode), tf_memory_tensors: tf.memory().numTensors });
    }
    await initEngine();
    const best = results[0];
    return { ...best, backends: results, peak_rss_mb: peakRssMb(), reference: py ? 'pytorch' : null, batch_size: 128, repetitions: reps };
  },
};
export default suite;
