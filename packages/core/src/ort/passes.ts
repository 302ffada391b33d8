/**
 * @file Graph rewrites applied to the lowered forward pass before it is differentiated.
 *
 * In gradient mode tfjs runs a layer's bias as its own Add after the matmul or conv (it un-fuses
 * activations), so the lowered graph has Gemm -> Reshape -> Add(bias). ORT fuses MatMul + Add
 * into Gemm only when nothing sits between them; here the Reshape does, so the bias goes into
 * Gemm's C input directly. That saves a pass over every layer's output, forward and backward.
 *
 * tfjs also reshapes a dense layer's 2-D kernel to 3-D for its batched matmul, which the
 * lowering reshapes back: chains of Reshapes collapse, and one back to the input's own shape
 * disappears (ORT copied a weight there each step: 5% of a dense step).
 */
import type { Graph, GraphNode } from './graph.js';

/**
 * Removes the given nodes, points every use of `renames`' keys at their values, and drops
 * Reshapes this left without a use (ones unused before are kept: before differentiation the
 * loss itself is not yet a graph output).
 */
function rewire(g: Graph, removed: Set<GraphNode>, renames: Map<string, string>): void {
  const usedBefore = consumers(g);
  const kept = g.nodes.filter((n) => !removed.has(n));
  g.nodes.length = 0;
  g.nodes.push(...kept);
  const final = (x: string): string => (renames.has(x) ? final(renames.get(x)!) : x);
  for (const n of g.nodes) {
    n.inputs = n.inputs.map(final);
    if (n.gradInputs) n.gradInputs = n.gradInputs.map(final);
  }
  for (const [k] of renames) renames.set(k, final(k));
  const now = consumers(g);
  const dead = g.nodes.filter((n) => n.op === 'Reshape' && usedBefore.has(n.outputs[0]) && !now.has(n.outputs[0]) && ![...renames.values()].includes(n.outputs[0]));
  if (dead.length) rewire(g, new Set(dead), new Map());
}

/**
 * Collapses Reshape(Reshape(x)) to Reshape(x), and drops a Reshape to its input's own shape.
 * @returns old value name -> the name that now carries it.
 */
export function collapseReshapes(g: Graph): Map<string, string> {
  const producer = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const removed = new Set<GraphNode>();
  const renames = new Map<string, string>();
  for (const n of g.nodes) {
    if (n.op !== 'Reshape') continue;
    let src = n.inputs[0];
    while (producer.get(src)?.op === 'Reshape') src = producer.get(src)!.inputs[0];
    if (g.shape(src).join() === g.shape(n.outputs[0]).join() && !g.outputs.includes(n.outputs[0])) {
      renames.set(n.outputs[0], src);
      removed.add(n);
    } else n.inputs[0] = src;
  }
  rewire(g, removed, renames);
  return renames;
}

function consumers(g: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  // A custom gradient's targets (GraphNode.gradInputs) count as uses: the gradient flows
  // through their producers even where no forward op reads them any more.
  for (const n of g.nodes) for (const x of [...n.inputs, ...(n.gradInputs ?? [])]) uses.set(x, (uses.get(x) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  return uses;
}

/**
 * Folds `Add(Reshape(Gemm(a, b)), bias)` into `Reshape(Gemm(a, b, bias))` where the bias is a
 * vector over Gemm's columns.
 * @returns old value name -> the name that now carries it (the removed Adds' outputs).
 */
export function fuseBias(g: Graph): Map<string, string> {
  const uses = consumers(g);
  const producer = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const removed = new Set<GraphNode>();
  const renames = new Map<string, string>();
  for (const add of g.nodes) {
    if (add.op !== 'Add') continue;
    for (const side of [0, 1]) {
      const reshape = producer.get(add.inputs[side]);
      const bias = add.inputs[1 - side];
      if (!reshape || reshape.op !== 'Reshape' || uses.get(reshape.outputs[0]) !== 1) continue;
      const gemm = producer.get(reshape.inputs[0]);
      if (!gemm || gemm.op !== 'Gemm' || gemm.inputs.length !== 2 || uses.get(gemm.outputs[0]) !== 1) continue;
      const n = g.shape(gemm.outputs[0])[1];
      const bs = g.shape(bias);
      const outShape = g.shape(add.outputs[0]);
      // Only a per-column vector, and only when the Add does not broadcast the product itself.
      if (bs.reduce((a, b) => a * b, 1) !== n || bs.at(-1) !== n || outShape.join() !== g.shape(reshape.outputs[0]).join()) continue;
      // The bias as a vector: its source before any reshapes, if that is one already.
      let src = bias;
      while (producer.get(src)?.op === 'Reshape') src = producer.get(src)!.inputs[0];
      const before = g.nodes.length;
      const flat = g.reshape(g.shape(src).length === 1 ? src : bias, [n]);
      const extra = g.nodes.length > before ? [g.nodes.pop()!] : [];
      // Topological order: the bias may be made after the Gemm, but before the Add. The Gemm
      // and its Reshape each have a single use, so both can move to just before the Add.
      for (const moved of [gemm, reshape]) g.nodes.splice(g.nodes.indexOf(moved), 1);
      g.nodes.splice(g.nodes.indexOf(add), 0, ...extra, gemm, reshape);
      gemm.inputs.push(flat);
      renames.set(add.outputs[0], reshape.outputs[0]);
      removed.add(add);
      break;
    }
  }
  rewire(g, removed, renames);
  return renames;
}
