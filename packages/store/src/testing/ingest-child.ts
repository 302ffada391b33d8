/**
 * @file A child process for the safe-write test: adds a small committed batch, says so, then
 * starts a large add that the test kills with SIGKILL at a random moment.
 * Usage: ingest-child.ts <store dir> <big rows>
 */
import { LatentStore } from '../store.js';
import { clusteredCodes } from './clustered.js';

const [dir, bigRows] = process.argv.slice(2);
const dim = 16;
const rowsOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ source: `${tag}/${i}.png`, label: String(i % 10) }));
const store = await LatentStore.open(dir);
const small = clusteredCodes(100, dim, 4, 7);
await store.add({ data: small.data, rows: 100, cols: dim }, rowsOf(100, 'small'), { modality: 'image', modelId: 'm1' });
process.stdout.write('committed\n');
const n = Number(bigRows);
const big = clusteredCodes(n, dim, 50, 8);
process.stdout.write('adding\n');
await store.add({ data: big.data, rows: n, cols: dim }, rowsOf(n, 'big'), { modality: 'image', modelId: 'm1', index: false });
process.stdout.write('done\n');
