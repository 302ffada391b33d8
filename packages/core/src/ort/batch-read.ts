/**
 * @file Reads a batch tensor's values into a buffer the step runner keeps, without the copy
 * `tensor.data()` makes. On the wasm backend `data()` slices the wasm heap into a fresh
 * ArrayBuffer each step (a dense AE's MNIST batch is 400 kB: page faults on a new mapping, and
 * external memory that drives V8's collector), which cost ~0.5 ms of a 4.5 ms step. Here the
 * values are copied straight from the heap (or the cpu backend's array) into the kept buffer.
 */
import * as tf from '@tensorflow/tfjs';

export type BatchArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackendInternals {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}
interface CpuBackendInternals {
  data: { get(id: object): { values?: unknown } | undefined };
}

const arrayOf = (dtype: string) => (dtype === 'bool' ? Uint8Array : dtype === 'int32' ? Int32Array : Float32Array);

/** A view of `t`'s values where the backend keeps them, or undefined where there is none to take. */
function viewOf(t: tf.Tensor): BatchArray | undefined {
  const Typed = arrayOf(t.dtype);
  const backend = tf.backend() as unknown;
  const id = t.dataId as object;
  if (tf.getBackend() === 'wasm') {
    const b = backend as WasmBackendInternals;
    const info = b.dataIdMap?.get(id);
    const heap = b.wasm?.HEAPU8;
    if (!info || !heap) return undefined;
    return new Typed(heap.buffer as ArrayBuffer, heap.byteOffset + info.memoryOffset, t.size);
  }
  if (tf.getBackend() === 'cpu') {
    const values = (backend as CpuBackendInternals).data?.get(id)?.values;
    return values instanceof Typed && values.length === t.size ? values : undefined;
  }
  return undefined;
}

/**
 * `t`'s values in `kept` when it has the right type and length (else in a new array, to be kept
 * by the caller for the next batch). The copy is synchronous: the wasm heap may move at the
 * next tfjs allocation, so no view of it outlives this call.
 */
export async function readBatchTensor(t: tf.Tensor, kept: BatchArray | undefined): Promise<BatchArray> {
  const Typed = arrayOf(t.dtype);
  const out = kept instanceof Typed && kept.length === t.size ? kept : new Typed(t.size);
  await readBatchInto(t, out, 0);
  return out;
}

/** A buffer of `t`'s element type for `count` tensors of its size (stacked batches). */
export function batchArray(t: tf.Tensor, count: number): BatchArray {
  return new (arrayOf(t.dtype))(t.size * count);
}

/** Copies `t`'s values into `out` (of `t`'s element type) from element `offset` on. */
export async function readBatchInto(t: tf.Tensor, out: BatchArray, offset: number): Promise<void> {
  const view = viewOf(t);
  if (view) out.set(view as never, offset);
  else out.set((await t.data()) as never, offset);
}
