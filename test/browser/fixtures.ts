/**
 * @file Code sets for the explorer tests and the browser benchmark: Gaussian clusters in a
 * d-dimensional code space with a falling spectrum (like an autoencoder's codes), one label
 * per cluster, written as `.npy` + row manifest the way `latentkit encode` writes them.
 */
import { join } from 'node:path';
import { createNormalRng, formatRowsCsv, rowsManifestPath, writeFileAtomic, writeNpy, type RowRecord } from '@latentkit/core';

/** What {@link writeClusters} wrote. */
export interface ClusterSet {
  codes: string;
  rows: string;
  /** Label of each row. */
  labels: string[];
  n: number;
  d: number;
}

/**
 * Writes `sizes.length` clusters of the given sizes, labelled '0', '1', ...
 * @param dir - target folder.
 * @param name - file stem.
 * @param sizes - rows per cluster (rows are interleaved, not grouped).
 * @param d - code width.
 * @param seed - random seed.
 * @param spread - distance between cluster centres relative to the within-cluster spread.
 */
export async function writeClusters(dir: string, name: string, sizes: number[], d: number, seed: number, spread = 8): Promise<ClusterSet> {
  const rnd = createNormalRng(seed);
  const centres = sizes.map(() => Float64Array.from({ length: d }, () => spread * rnd()));
  const left = [...sizes];
  const n = sizes.reduce((a, b) => a + b, 0);
  const data = new Float32Array(n * d);
  const labels: string[] = [];
  const records: RowRecord[] = [];
  for (let i = 0; i < n; i++) {
    let c = i % sizes.length;
    while (left[c] === 0) c = (c + 1) % sizes.length;
    left[c]--;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c][j] + rnd() / (1 + 0.2 * j);
    labels.push(String(c));
    records.push({ source: `${name}/${c}/item-${i}.png`, label: String(c), text: `item ${i} of cluster ${c}` });
  }
  const codes = join(dir, `${name}.npy`);
  await writeNpy(codes, { data, shape: [n, d] });
  const rows = rowsManifestPath(codes);
  await writeFileAtomic(rows, formatRowsCsv(records));
  return { codes, rows, labels, n, d };
}
