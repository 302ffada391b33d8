/**
 * @file Records what a model's tfjs loss computes, kernel by kernel, so it can be compiled.
 *
 * Why kernels: every tfjs op, layer and custom layer ends in `engine.runKernelFunc` with a
 * kernel name, its input tensors and plain attributes, the same level tfjs's own tape records
 * for autodiff. Recording there needs no code per model: the VAE's reparameterisation, the
 * speech model's custom layers and the sentence model's layers all arrive as ~60 kernel kinds.
 *
 * The loss runs under `tf.variableGrads`, as the trainer runs it, so ops take their gradient-
 * mode paths (tfjs un-fuses activations then) and the tfjs loss, metrics and gradients of the
 * traced batch are at hand to verify the compiled step against.
 *
 * Custom gradients: tfjs's own fused ops (scopes named `*__op`) wrap kernels whose true
 * gradient is their custom one, so their inner kernels are recorded as if there were no
 * wrapper. Any other `tf.customGrad` is probed: one whose gradient is zero is a stop-gradient
 * and is recorded as such; others cannot be compiled (the step falls back to tfjs).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossOutput, StepContext, TensorBatch } from '../training/trainer.js';

/** One recorded kernel call (inputs and outputs as tensor ids). */
export interface TracedNode {
  kernel: string;
  /** Input name -> tensor id, in the kernel's own order. */
  inputs: [string, number][];
  attrs: Record<string, unknown>;
  outputs: number[];
}

/** Shape, dtype and, for leaves (constants the loss made), the values of a tensor. */
export interface TracedTensor {
  shape: number[];
  dtype: string;
  values?: Float32Array | Int32Array | Uint8Array;
  /** Name of the tf.Variable this leaf is (a weight the loss reads but does not train). */
  variable?: string;
}

/** Everything one run of the loss did. */
export interface Trace {
  nodes: TracedNode[];
  tensors: Map<number, TracedTensor>;
  /** Tensor id -> index into the variable list. */
  variables: Map<number, number>;
  /** Tensor id -> batch key. */
  batch: Map<number, string>;
  /** Ids of tensors the loss created from values (scalars, masks, random draws), in first-use order. */
  leaves: number[];
  /** Ids whose value passes through a zero custom gradient. */
  stopGradient: Set<number>;
  loss: number;
  metrics: [string, number][];
  /** What tfjs computed for this batch. */
  lossValue: number;
  metricValues: Record<string, number>;
  /** Indices (into the variable list) of the variables the loss depends on. */
  trainable: number[];
  /** tfjs gradients of those variables, in that order. */
  gradients: Float32Array[];
}

/** A loss that cannot be compiled; `message` is the one-line reason shown to users. */
export class NotLowerableError extends Error {}

interface Frame {
  /** Kernel calls inside are not recorded (they are the implementation of a recorded one). */
  opaque: boolean;
}

type EngineInternals = {
  runKernelFunc: (p: KernelParams) => tf.Tensor | tf.Tensor[];
  state: { activeScope?: { name: string } | null };
};
interface KernelParams {
  kernelName?: string;
  inputs: Record<string, tf.Tensor>;
  attrs?: Record<string, unknown>;
  backwardsFunc?: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

function copyValues(t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const v = t.dataSync();
  if (v instanceof Float32Array) return Float32Array.from(v);
  if (v instanceof Int32Array) return Int32Array.from(v);
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  throw new NotLowerableError(`a ${t.dtype} tensor of shape [${t.shape}] (only float32, int32 and bool are compiled)`);
}

/** Attributes as plain JSON-like data (tfjs passes numbers, strings, arrays, and null). */
function plainAttrs(attrs: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v instanceof tf.Tensor) throw new NotLowerableError(`attribute '${k}' holds a tensor`);
    out[k] = v === undefined ? null : JSON.parse(JSON.stringify(v ?? null));
  }
  return out;
}

/** tfjs engine internals of gradient recording (see {@link traceLoss}'s `withGradients`). */
interface TapeInternals {
  startTape(): void;
  endTape(): void;
  state: { gradientDepth: number; activeTape: { saved: tf.Tensor[] }[] | null };
}

/**
 * Runs `loss(batch, ctx)` once under gradient recording and returns every kernel it ran.
 * @throws {NotLowerableError} when the loss does something the compiler cannot express.
 */
export function traceLoss(
  loss: (batch: TensorBatch, ctx: StepContext) => LossOutput,
  vars: tf.Variable[],
  batch: TensorBatch,
  ctx: StepContext,
  /**
   * Also run tfjs's backward pass for the gradients (default true). The compiler's second and
   * third traces only compare kernels and leaves: they run the loss in gradient mode (same
   * kernels) but skip the backward pass, a third of the sentence model's compile time.
   */
  withGradients = true,
): Trace {
  const engine = tf.engine() as unknown as EngineInternals;
  const original = engine.runKernelFunc;
  const nodes: TracedNode[] = [];
  const tensors = new Map<number, TracedTensor>();
  const produced = new Set<number>();
  const variables = new Map<number, number>(vars.map((v, i) => [v.id, i]));
  const batchIds = new Map<number, string>(Object.entries(batch).map(([k, t]) => [t.id, k]));
  const leaves: number[] = [];
  const stopGradient = new Set<number>();
  const frames: Frame[] = [];
  let recording = false;
  let failure: unknown;

  const note = (t: tf.Tensor, asInput: boolean) => {
    if (tensors.has(t.id)) return;
    const info: TracedTensor = { shape: [...t.shape], dtype: t.dtype };
    if (asInput && !produced.has(t.id) && !variables.has(t.id) && !batchIds.has(t.id)) {
      info.values = copyValues(t);
      if (t instanceof tf.Variable) info.variable = t.name;
      leaves.push(t.id);
    }
    tensors.set(t.id, info);
  };

  engine.runKernelFunc = function (this: EngineInternals, p: KernelParams) {
    const live = recording && failure === undefined && frames.every((f) => !f.opaque);
    if (!live) return original.call(this, p);
    const custom = p.kernelName === undefined;
    const scope = engine.state.activeScope?.name ?? '';
    frames.push({ opaque: !custom });
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, p);
    } finally {
      frames.pop();
    }
    const outs = Array.isArray(out) ? out : [out];
    try {
      if (!custom) {
        const inputs = Object.entries(p.inputs).filter(([, t]) => t != null) as [string, tf.Tensor][];
        for (const [, t] of inputs) note(t, true);
        for (const t of outs) {
          note(t, false);
          produced.add(t.id);
        }
        nodes.push({ kernel: p.kernelName!, inputs: inputs.map(([k, t]) => [k, t.id]), attrs: plainAttrs(p.attrs), outputs: outs.map((t) => t.id) });
      } else if (!scope.endsWith('__op')) {
        probeCustomGradient(p, outs, scope);
        for (const t of outs) stopGradient.add(t.id);
      }
    } catch (e) {
      failure = e;
    }
    return out;
  };

  let lossId = -1;
  const metricIds: [string, number][] = [];
  let lossValue = NaN;
  const metricValues: Record<string, number> = {};
  const trainable: number[] = [];
  const gradients: Float32Array[] = [];
  const forward = () => {
    recording = true;
    try {
      const out = loss(batch, ctx);
      for (const [k, m] of Object.entries(out.metrics ?? {})) {
        metricIds.push([k, m.id]);
        metricValues[k] = m.dataSync()[0];
      }
      lossId = out.loss.id;
      return out.loss;
    } finally {
      recording = false;
    }
  };
  try {
    if (!withGradients) {
      // What tf.variableGrads does before its backward pass: a tape, so ops take their
      // gradient-mode kernels; then the tensors the tape saved for the backward pass go.
      const tape = tf.engine() as unknown as TapeInternals;
      const outer = tape.state.gradientDepth === 0;
      tf.tidy(() => {
        tape.startTape();
        try {
          lossValue = forward().dataSync()[0];
        } finally {
          tape.endTape();
          if (outer) {
            for (const node of tape.state.activeTape ?? []) for (const t of node.saved) t.dispose();
            tape.state.activeTape = null;
          }
        }
      });
    } else tf.tidy(() => {
      const { value, grads } = tf.variableGrads(forward, vars);
      lossValue = value.dataSync()[0];
      vars.forEach((v, i) => {
        const g = grads[v.name];
        if (!g) return;
        trainable.push(i);
        gradients.push(Float32Array.from(g.dataSync() as Float32Array));
      });
    });
  } finally {
    engine.runKernelFunc = original;
  }
  if (failure !== undefined) throw failure instanceof NotLowerableError ? failure : new NotLowerableError((failure as Error).message ?? String(failure));
  for (const id of [lossId, ...metricIds.map(([, m]) => m)]) {
    if (!produced.has(id)) throw new NotLowerableError('the loss (or a metric) is not computed from recorded kernels');
  }
  return { nodes, tensors, variables, batch: batchIds, leaves, stopGradient, loss: lossId, metrics: metricIds, lossValue, metricValues, trainable, gradients };
}

/** Accepts a custom gradient only when it is identically zero (a stop-gradient). */
function probeCustomGradient(p: KernelParams, outs: tf.Tensor[], scope: string): void {
  const reason = `tf.customGrad in scope '${scope || 'unnamed'}' has a non-zero custom gradient`;
  if (!p.backwardsFunc) throw new NotLowerableError(reason);
  const zero = tf.tidy(() => {
    const dys = outs.map((o) => tf.randomNormal(o.shape, 0, 1, 'float32', 7));
    const map = p.backwardsFunc!(dys.length === 1 ? dys[0] : dys, []);
    return Object.values(map).every((g) => tf.max(tf.abs(g())).dataSync()[0] === 0);
  });
  if (!zero) throw new NotLowerableError(reason);
}

/** Structure of a trace (kernels, attributes, shapes, wiring) for comparing two runs. */
export function traceSignature(t: Trace): string {
  const local = new Map<number, number>();
  const idOf = (id: number) => {
    if (t.variables.has(id)) return `v${t.variables.get(id)}`;
    if (t.batch.has(id)) return `b:${t.batch.get(id)}`;
    if (!local.has(id)) local.set(id, local.size);
    return `t${local.get(id)}`;
  };
  return t.nodes
    .map((n) => `${n.kernel}(${n.inputs.map(([k, id]) => `${k}=${idOf(id)}:${t.tensors.get(id)!.shape}`).join(',')})${JSON.stringify(n.attrs)}->${n.outputs.map(idOf).join(',')}${n.outputs.some((o) => t.stopGradient.has(o)) ? '!' : ''}`)
    .join('\n');
}
