/**
 * @file The page's side of the worker protocol: one promise per request, progress lines to a
 * callback, and errors rebuilt with their name and code.
 */
import type { WorkerEnvelope, WorkerReplies, WorkerRequest, WorkerResponse } from './protocol.js';

/** An error that happened in the worker, with the original name and code. */
export class WorkerTaskError extends Error {
  constructor(
    readonly errorName: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

/** Sends requests to the explorer worker. */
export class ExplorerWorker {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(url: URL, onProgress: (line: string) => void) {
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const m = e.data;
      if ('progress' in m) {
        onProgress(m.progress);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new WorkerTaskError(m.error.name, m.error.code, m.error.message));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`explorer worker failed: ${e.message}`));
      this.pending.clear();
    };
  }

  /** Runs one request; `transfer` lists buffers handed over without a copy. */
  call<T extends WorkerRequest>(request: T, transfer: Transferable[] = []): Promise<WorkerReplies[T['type']]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...request, id } as WorkerEnvelope, transfer);
    });
  }
}
