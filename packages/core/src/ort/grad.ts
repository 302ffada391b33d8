/**
 * @file Reverse-mode differentiation over an ONNX graph: walks the forward nodes backwards
 * from the loss, applies each op's gradient rule, and sums the contributions a value gets
 * from several consumers. Only nodes between the wanted inputs and the loss are visited.
 */
import type { Graph } from './graph.js';
import { BASE_RULES, NO_GRADIENT, type GradRule } from './grad-rules.js';
import { NN_RULES } from './grad-rules-nn.js';
import { NotLowerableError } from './trace.js';

/** The gradient rule of every ONNX op the compiler differentiates. */
export const GRADIENT_RULES: Record<string, GradRule> = { ...BASE_RULES, ...NN_RULES };

/**
 * Appends the gradient of scalar `loss` with respect to each of `wrt` to the graph.
 * @returns one value per `wrt` entry; undefined where the loss does not depend on it.
 * @throws {NotLowerableError} when a node on the path has no gradient rule.
 */
export function addGradients(g: Graph, loss: string, wrt: string[], seed?: string): (string | undefined)[] {
  const forward = g.nodes.slice();
  // Values that depend on a wanted input through differentiable float ops.
  const live = new Set(wrt);
  for (const n of forward) {
    if (n.stopGradient || NO_GRADIENT.has(n.op)) continue;
    // Casts stay live whatever their type: tfjs differentiates through a cast to int32.
    if (n.inputs.some((i) => live.has(i))) for (const o of n.outputs) if (g.info(o).dtype === 'float32' || n.op === 'Cast') live.add(o);
  }
  if (!live.has(loss)) return wrt.map(() => undefined);
  // Values the loss depends on.
  const needed = new Set([loss]);
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i];
    if (n.outputs.some((o) => needed.has(o))) for (const x of [...n.inputs, ...(n.gradInputs ?? [])]) needed.add(x);
  }
  const contributions = new Map<string, string[]>([[loss, [seed ?? g.constant([1], g.shape(loss))]]]);
  const total = (v: string): string | undefined => {
    const parts = contributions.get(v);
    if (!parts || parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    const sum = g.node('Sum', parts, g.info(v));
    contributions.set(v, [sum]);
    return sum;
  };
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i];
    if (!n.outputs.some((o) => live.has(o) && needed.has(o))) continue;
    if (n.stopGradient) continue;
    const dys = n.outputs.map(total);
    if (dys.every((d) => d === undefined)) continue;
    const rule = n.customGrad ?? GRADIENT_RULES[n.op];
    if (!rule) throw new NotLowerableError(`no gradient rule for ONNX ${n.op}`);
    const dxs = rule(g, n, dys);
    (n.gradInputs ?? n.inputs).forEach((x, j) => {
      const dx = dxs[j];
      if (dx === undefined || !live.has(x)) return;
      const want = g.shape(x);
      const got = g.shape(dx);
      if (want.length !== got.length || want.some((d, k) => d !== got[k])) {
        throw new NotLowerableError(`gradient rule of ${n.op} gave [${got}] for an input of [${want}]`);
      }
      if (!contributions.has(x)) contributions.set(x, []);
      contributions.get(x)!.push(dx);
    });
  }
  return wrt.map(total);
}
