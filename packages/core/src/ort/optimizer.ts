/**
 * @file Optimizer updates as graph ops, and the bridge to the tfjs optimizer's state.
 *
 * The tfjs optimizer object stays the one source of truth between compiled runs: the compiled
 * step reads its slots (Adam's moments, ...) and iteration count when it starts and writes
 * them back through `setWeights` at checkpoints and at the end, so checkpoints keep tfjs's
 * format and a run may resume on either engine. Each update mirrors tfjs's arithmetic, up to
 * float rounding. Adam, half of a dense step's time, runs as a chain of elementwise ops that
 * each pass over every weight, so it is rearranged to take fewer:
 * - the graph keeps the moments scaled, m^ = m/(1-b1) and v^ = v/(1-b2), so their updates
 *   m^' = b1*m^ + g and v^' = b2*v^ + g*g take no multiply by (1-b); the bridge below converts
 *   to and from tfjs's moments;
 * - the bias corrections fold into a per-step rate and epsilon computed in JS (in doubles):
 *   w - lr*(m'/bc1)/(sqrt(v'/bc2)+eps) = w - lr_t * m^'/(sqrt(v^')+eps_t) with
 *   lr_t = lr*(1-b1)*sqrt(bc2)/(bc1*sqrt(1-b2)) and eps_t = eps*sqrt(bc2)/sqrt(1-b2).
 * That is 10 passes per weight instead of tfjs's 14.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph } from './graph.js';
import { NotLowerableError } from './trace.js';

/** What the compiler knows of a tfjs optimizer. */
export interface OptimizerPlan {
  kind: 'adam' | 'sgd' | 'momentum' | 'rmsprop';
  /** Slot name suffixes, in the order of tfjs's `getWeights` (after the iteration count). */
  slots: string[];
  config: Record<string, number | boolean>;
}

type Internals = { learningRate: number; getConfig(): Record<string, unknown> };

/** @throws {NotLowerableError} for optimizers the compiler does not express. */
export function planOptimizer(opt: tf.Optimizer): OptimizerPlan {
  const c = (opt as unknown as Internals).getConfig() as Record<string, number | boolean>;
  switch (opt.getClassName()) {
    case 'Adam':
      return { kind: 'adam', slots: ['m', 'v'], config: c };
    case 'SGD':
      return { kind: 'sgd', slots: [], config: c };
    case 'Momentum':
      return { kind: 'momentum', slots: ['momentum'], config: c };
    case 'RMSProp':
      return { kind: 'rmsprop', slots: c.centered ? ['rms', 'momentum', 'mg'] : ['rms', 'momentum'], config: c };
    default:
      throw new NotLowerableError(`optimizer ${opt.getClassName()} (compiled: adam, sgd, momentum, rmsprop)`);
  }
}

/** Names of the per-step scalar inputs a plan's update reads. */
export function scalarInputs(plan: OptimizerPlan): string[] {
  return plan.kind === 'adam' ? ['lr_t', 'eps_t'] : plan.kind === 'rmsprop' ? ['lr'] : ['neg_lr'];
}

/** Values of those scalars for the step after `iterations` completed ones, at rate `lr`. */
export function scalarValues(plan: OptimizerPlan, lr: number, iterations: number): Record<string, number> {
  if (plan.kind === 'adam') {
    const t = iterations + 1;
    const [b1, b2] = [plan.config.beta1 as number, plan.config.beta2 as number];
    const bc1 = 1 - b1 ** t;
    const c2 = Math.sqrt((1 - b2 ** t) / (1 - b2));
    return { lr_t: (lr * (1 - b1) * c2) / bc1, eps_t: (plan.config.epsilon as number) * c2 };
  }
  if (plan.kind === 'rmsprop') return { lr };
  return { neg_lr: -lr };
}

/**
 * Appends one weight's update. `slots` are the graph inputs of its state (plan order);
 * `scalars` the graph inputs of {@link scalarInputs}. Returns the new weight and slots.
 */
export function addUpdate(g: Graph, plan: OptimizerPlan, w: string, grad: string, slots: string[], scalars: Record<string, string>): { w: string; slots: string[] } {
  const k = (v: number) => g.scalar(v);
  const c = plan.config;
  switch (plan.kind) {
    case 'sgd':
      return { w: g.add(g.mul(scalars.neg_lr, grad), w), slots: [] };
    case 'momentum': {
      const acc = g.add(g.mul(k(c.momentum as number), slots[0]), grad);
      const step = c.useNesterov ? g.add(grad, g.mul(acc, k(c.momentum as number))) : acc;
      return { w: g.add(g.mul(scalars.neg_lr, step), w), slots: [acc] };
    }
    case 'adam': {
      const b1 = c.beta1 as number;
      const b2 = c.beta2 as number;
      // Scaled moments (see the file comment).
      const m = g.add(g.mul(slots[0], k(b1)), grad);
      const v = g.add(g.mul(slots[1], k(b2)), g.mul(grad, grad));
      const step = g.div(g.mul(m, scalars.lr_t), g.add(g.unary('Sqrt', v), scalars.eps_t));
      return { w: g.sub(w, step), slots: [m, v] };
    }
    case 'rmsprop': {
      const decay = c.decay as number;
      const ms = g.add(g.mul(slots[0], k(decay)), g.mul(g.mul(grad, grad), k(1 - decay)));
      let denom: string;
      const out = [ms];
      if (c.centered) {
        const mg = g.add(g.mul(slots[2], k(decay)), g.mul(grad, k(1 - decay)));
        denom = g.sub(ms, g.add(g.mul(mg, mg), k(c.epsilon as number)));
        out.push('', mg);
      } else {
        denom = g.add(ms, k(c.epsilon as number));
      }
      const mom = g.add(g.mul(slots[1], k(c.momentum as number)), g.div(g.mul(grad, scalars.lr), g.unary('Sqrt', denom)));
      out[1] = mom;
      return { w: g.sub(w, mom), slots: out };
    }
  }
}

/**
 * Factor from tfjs's value of each slot to the compiled graph's (Adam's scaled moments; 1 for
 * the others).
 */
function slotScales(plan: OptimizerPlan): number[] {
  if (plan.kind !== 'adam') return plan.slots.map(() => 1);
  return [1 / (1 - (plan.config.beta1 as number)), 1 / (1 - (plan.config.beta2 as number))];
}

/** Optimizer state in JS memory, as the compiled graph holds it: iteration count and one array per (slot, weight). */
export interface OptimizerState {
  iterations: number;
  /** slots[s][i]: slot s of trainable weight i. */
  slots: Float32Array[][];
}

/**
 * Reads the tfjs optimizer's state for `vars` (zeros when it has not stepped yet).
 * @throws {NotLowerableError} when its slots do not line up with `vars`.
 */
export async function readOptimizerState(opt: tf.Optimizer, plan: OptimizerPlan, vars: tf.Variable[]): Promise<OptimizerState> {
  const weights = await opt.getWeights();
  const iterations = weights.length ? ((await weights[0].tensor.data())[0] ?? 0) : 0;
  if (weights.length) weights[0].tensor.dispose(); // a fresh scalar; the slots are the optimizer's own
  const rest = weights.slice(1);
  const n = plan.slots.length;
  if (rest.length === 0) return { iterations, slots: plan.slots.map(() => vars.map((v) => new Float32Array(v.size))) };
  if (rest.length !== n * vars.length) throw new NotLowerableError(`the optimizer holds state for ${rest.length / Math.max(n, 1)} weights, the model trains ${vars.length}`);
  const slots: Float32Array[][] = [];
  const scales = slotScales(plan);
  for (let s = 0; s < n; s++) {
    const list: Float32Array[] = [];
    for (let i = 0; i < vars.length; i++) {
      const t = rest[s * vars.length + i].tensor;
      if (t.size !== vars[i].size) throw new NotLowerableError(`optimizer slot '${rest[s * vars.length + i].name}' does not match weight '${vars[i].name}'`);
      const a = Float32Array.from((await t.data()) as Float32Array);
      if (scales[s] !== 1) for (let j = 0; j < a.length; j++) a[j] *= scales[s];
      list.push(a);
    }
    slots.push(list);
  }
  return { iterations, slots };
}

/** Writes state back into the tfjs optimizer, disposing the slots it held before. */
export async function writeOptimizerState(opt: tf.Optimizer, plan: OptimizerPlan, vars: tf.Variable[], state: OptimizerState): Promise<void> {
  const old = await opt.getWeights();
  const fresh: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }];
  const scales = slotScales(plan);
  plan.slots.forEach((suffix, s) =>
    vars.forEach((v, i) => {
      let a = state.slots[s][i];
      if (scales[s] !== 1) a = a.map((x) => x / scales[s]);
      fresh.push({ name: `${v.name}/${suffix}`, tensor: tf.tensor(a, v.shape, 'float32') });
    }),
  );
  await opt.setWeights(fresh);
  // setWeights made new variables sharing these tensors' data; the tensors and the old slots go.
  tf.dispose(fresh.map((w) => w.tensor));
  tf.dispose(old.map((w) => w.tensor));
}
