/**
 * @file Prometheus metrics of one server, in a registry of its own (two servers in one process
 * do not mix counts): requests by route, model and status; request latency; batch sizes and
 * times by model and operation; queue depth; requests in flight; refusals by reason; tfjs
 * tensors and bytes in memory (a leak shows as a climbing count); and prom-client's process
 * metrics (resident memory, event-loop lag, heap).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { tf } from '@latentkit/core';

/** The metrics a server updates. */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'model' | 'status'>;
  latency: Histogram<'route' | 'model'>;
  batchRows: Histogram<'model' | 'op'>;
  batchSeconds: Histogram<'model' | 'op'>;
  inFlight: Gauge;
  refused: Counter<'reason'>;
}

/**
 * Makes a server's metrics.
 * @param queued called at scrape time: rows waiting per model and operation.
 * @param inFlight called at scrape time: requests being handled.
 */
export function createMetrics(queued: () => { model: string; op: string; rows: number }[], inFlight: () => number): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const m: ServerMetrics = {
    registry,
    requests: new Counter({ name: 'latentkit_http_requests_total', help: 'HTTP requests answered, by route, model and status', labelNames: ['route', 'model', 'status'], registers }),
    latency: new Histogram({
      name: 'latentkit_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent',
      labelNames: ['route', 'model'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    batchRows: new Histogram({ name: 'latentkit_batch_rows', help: 'Rows per forward pass, by model and operation', labelNames: ['model', 'op'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers }),
    batchSeconds: new Histogram({
      name: 'latentkit_batch_duration_seconds',
      help: 'Time of one forward pass, by model and operation',
      labelNames: ['model', 'op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    inFlight: new Gauge({
      name: 'latentkit_requests_in_flight',
      help: 'Requests being handled now',
      registers,
      collect() {
        this.set(inFlight());
      },
    }),
    refused: new Counter({ name: 'latentkit_requests_refused_total', help: 'Requests refused for load or time (busy, queue_full, timeout, draining)', labelNames: ['reason'], registers }),
  };
  new Gauge({
    name: 'latentkit_queue_rows',
    help: 'Rows waiting for a batch, by model and operation',
    labelNames: ['model', 'op'],
    registers,
    collect() {
      this.reset();
      for (const q of queued()) this.set({ model: q.model, op: q.op }, q.rows);
    },
  });
  new Gauge({
    name: 'latentkit_tfjs_tensors',
    help: 'tfjs tensors in memory (flat under steady load; a climb is a leak)',
    registers,
    collect() {
      this.set(tf.memory().numTensors);
    },
  });
  new Gauge({
    name: 'latentkit_tfjs_bytes',
    help: 'Bytes held by tfjs tensors',
    registers,
    collect() {
      this.set(tf.memory().numBytes);
    },
  });
  return m;
}
