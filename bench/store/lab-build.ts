// Lab (see NOTES.md): writes a table of n clustered 32-d codes with the store (no index) and the raw codes to <dir>/../data.f32.
// npx tsx --conditions=source bench/store/lab-build.ts 1000000 /tmp/lklab/db
// Lab: build a 1M x 32 table once with the store (index: false), save data for truth.
import { LatentStore } from '@latentkit/store';
import { clusteredCodes } from '../../packages/store/src/testing/clustered.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const rows = Number(process.argv[2] ?? 1_000_000);
const dir = process.argv[3] ?? '/tmp/lklab/db';
const { data } = clusteredCodes(rows, 32, 1000, 42);
writeFileSync(join(dir, '..', 'data.f32'), Buffer.from(data.buffer));
const manifest = Array.from({ length: rows }, (_, i) => ({ source: `codes/${i}.png`, label: String(i % 10) }));
const store = await LatentStore.open(dir);
const t0 = performance.now();
await store.add({ data, rows, cols: 32 }, manifest, { modality: 'image', modelId: 'bench', index: false });
console.log('ingest s', (performance.now() - t0) / 1000);
store.close();
