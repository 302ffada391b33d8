/**
 * @file Keeps hold of the stock tfjs-backend-wasm kernels that latentkit replaces, so a
 * replacement can still call the original (BatchMatMul without transposes is fast; only the
 * transposed cases need help).
 *
 * tfjs keeps its kernel registry on the global object, so it outlives any one evaluation of
 * this module (test runners re-evaluate modules, bundles may hold two copies). The stash and
 * the mark on our own configs live on the global object for the same reason: whoever asks
 * for the stock kernel must never be handed a latentkit replacement, or the replacement
 * would call itself forever.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../errors/errors.js';

const STASH_KEY = Symbol.for('latentkit.stockWasmKernels');
const OWN_KEY = Symbol.for('latentkit.kernel');

type Stash = Map<string, KernelConfig>;

function stash(): Stash {
  const g = globalThis as unknown as Record<symbol, Stash | undefined>;
  let s = g[STASH_KEY];
  if (!s) {
    s = new Map();
    g[STASH_KEY] = s;
  }
  return s;
}

/**
 * Marks a kernel config as latentkit's own, so it is never mistaken for a stock kernel.
 *
 * @param config - the config to mark (returned, for use in a `const` initialiser).
 * @returns the same config.
 * @example
 * ```ts
 * export const myConfig = ownKernel({ kernelName: 'Foo', backendName: 'wasm', kernelFunc });
 * ```
 */
export function ownKernel<T extends KernelConfig>(config: T): T {
  Object.defineProperty(config, OWN_KEY, { value: true, enumerable: false });
  return config;
}

/**
 * Whether a registered kernel config is one of latentkit's replacements.
 *
 * @param config - a config from `tf.getKernel`, or undefined.
 * @returns true for configs passed through {@link ownKernel}.
 * @example
 * ```ts
 * isOwnKernel(tf.getKernel('BatchMatMul', 'wasm')); // true after registerWasmKernels()
 * ```
 */
export function isOwnKernel(config: KernelConfig | undefined): boolean {
  return !!config && (config as unknown as Record<symbol, unknown>)[OWN_KEY] === true;
}

/**
 * Remembers the stock wasm kernel of this name, if one is registered and it is not ours.
 * Call before unregistering it. Idempotent. A newer stock config replaces an older one: it
 * is the one tfjs-backend-wasm set up last (a re-evaluated backend registers afresh).
 *
 * @param kernelName - tfjs kernel name, e.g. `'BatchMatMul'`.
 * @example
 * ```ts
 * stashStockKernel('BatchMatMul');
 * tf.unregisterKernel('BatchMatMul', 'wasm');
 * ```
 */
export function stashStockKernel(kernelName: string): void {
  const current = tf.getKernel(kernelName, 'wasm');
  if (current && !isOwnKernel(current)) stash().set(kernelName, current);
}

/**
 * The stock wasm kernel of this name: the stashed one, else the registered one if it is not
 * ours.
 *
 * @param kernelName - tfjs kernel name, e.g. `'BatchMatMul'`.
 * @returns the stock kernel config.
 * @throws {BackendUnavailableError} when tfjs-backend-wasm never registered that kernel.
 * @example
 * ```ts
 * const out = stockKernel('BatchMatMul').kernelFunc({ inputs: { a, b }, backend, attrs });
 * ```
 */
export function stockKernel(kernelName: string): KernelConfig {
  const stashed = stash().get(kernelName);
  if (stashed) return stashed;
  const current = tf.getKernel(kernelName, 'wasm');
  if (current && !isOwnKernel(current)) return current;
  throw new BackendUnavailableError(
    `The stock wasm kernel '${kernelName}' is not registered, so latentkit's replacement has nothing to delegate to.`,
    { hint: "Import '@tensorflow/tfjs-backend-wasm' before registering latentkit's kernels." },
  );
}

/**
 * A setup function that runs the stock kernel's own setup (it binds the wasm functions the
 * stock kernelFunc calls). tfjs runs setup only for registered configs, so a replacement
 * that delegates must forward it.
 *
 * @param kernelName - tfjs kernel name whose stock setup to run.
 * @returns a `setupFunc` for a replacement config.
 * @example
 * ```ts
 * const config = { kernelName: 'BatchMatMul', backendName: 'wasm', setupFunc: stockSetup('BatchMatMul'), kernelFunc };
 * ```
 */
export function stockSetup(kernelName: string): NonNullable<KernelConfig['setupFunc']> {
  return (backend) => {
    const stock = stash().get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
    if (stock && !isOwnKernel(stock)) stock.setupFunc?.(backend);
  };
}
