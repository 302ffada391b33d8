/**
 * @file Optimizer slots never decay into subnormal floats. A weight whose gradient is 0 (a unit
 * no ReLU lets through, a saturated sigmoid) keeps an Adam first moment that shrinks by beta1
 * every step, and ~750 steps later it is subnormal: x86 computes on subnormal floats through
 * slow microcode. The dense AE's fits on onnxruntime ran 0.67x from there on (30k -> 15-20k
 * samples/s, 36k of its 420k first moments subnormal), on tfjs-wasm 0.85x (6.7k -> 5.7k).
 *
 * So every engine sets slots below {@link SLOT_FLOOR} to 0 every few steps: the compiled loop
 * graph after each run (ort/multi-step.ts), the split workers every 8 steps (ort/split.ts), tfjs
 * every {@link TFJS_FLUSH_EVERY} steps (here). Above the floor, the decay between two flushes
 * cannot reach the subnormal range (1.2e-38) for any beta over 0.5; below it a first moment
 * moves its weight by at most lr * 1e-30 / (sqrt(v) + eps), at most lr * 1e-23 a step.
 *
 * Not flush-to-zero modes: onnxruntime's session option takes effect once per process on the
 * thread that makes the first session (the JavaScript thread, whose arithmetic it would change
 * for every script: 1e-310 > 0 false) and not on worker threads, and JavaScript has no other.
 */
import * as tf from '@tensorflow/tfjs';

/** Optimizer slot values below this magnitude are set to 0. */
export const SLOT_FLOOR = 1e-30;

/** tfjs steps between flushes (0.566^32 * 1e-30 is still above the subnormal range). */
export const TFJS_FLUSH_EVERY = 32;

/** Sets the float slots of a tfjs optimizer (its variables: moments, accumulators) below {@link SLOT_FLOOR} to 0. */
export async function flushOptimizerSlots(optimizer: tf.Optimizer): Promise<void> {
  const weights = await optimizer.getWeights();
  tf.tidy(() => {
    for (const { tensor } of weights) {
      if (!(tensor instanceof tf.Variable) || tensor.dtype !== 'float32') continue;
      tensor.assign(tf.where(tf.less(tf.abs(tensor), SLOT_FLOOR), tf.zerosLike(tensor), tensor));
    }
  });
  // getWeights makes a fresh tensor of the iteration count; the variables are the optimizer's own.
  tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
}
