import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, DecodeError, ShapeMismatchError, writeNpy } from '@latentkit/core';
import { readCodeSet } from './code-sets.js';
import { decodeLabelIndex } from '../label-index.js';
import { explorerPageDir, startExplorerServer, type ExplorerServer } from './server.js';

function get(server: ExplorerServer, path: string, init: { method?: string; host?: string } = {}) {
  return new Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: init.method ?? 'GET', headers: init.host ? { host: init.host } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let pageBuilt = true;
try {
  explorerPageDir();
} catch {
  pageBuilt = false;
}

describe('code sets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lk-sets-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads codes with their manifest, converts integers to float32, and works without a manifest', async () => {
    await writeNpy(join(dir, 'a.npy'), { data: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2] });
    await writeFile(join(dir, 'a.rows.csv'), 'row,source,label\n0,x.png,1\n1,y.png,2\n2,z.png,1\n');
    const set = await readCodeSet({ codes: join(dir, 'a.npy') });
    expect([set.name, set.n, set.d]).toEqual(['a', 3, 2]);
    const arr = decodeNpy(set.codes);
    expect(arr.dtype).toBe('float32');
    expect(Array.from(arr.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(set.rows).toContain('z.png');
    // The compact labels the page fetches up front: table ['1', '2'], rows 0 1 0.
    const labels = decodeLabelIndex(set.labels!, 3);
    expect(labels.table).toEqual(['1', '2']);
    expect(Array.from(labels.index)).toEqual([0, 1, 0]);
    await writeNpy(join(dir, 'b.npy'), { data: new Float32Array(4), shape: [2, 2] });
    const bee = await readCodeSet({ codes: join(dir, 'b.npy'), name: 'bee' });
    expect([bee.rows, bee.labels]).toEqual([null, null]);
  });

  it('refuses a manifest of another length, 1-D codes and a missing manifest named explicitly', async () => {
    await writeNpy(join(dir, 'c.npy'), { data: new Float32Array(4), shape: [2, 2] });
    await writeFile(join(dir, 'c.rows.csv'), 'row,source\n0,x\n');
    await expect(readCodeSet({ codes: join(dir, 'c.npy') })).rejects.toBeInstanceOf(ShapeMismatchError);
    await writeNpy(join(dir, 'd.npy'), { data: new Float32Array(4), shape: [4] });
    await expect(readCodeSet({ codes: join(dir, 'd.npy') })).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(readCodeSet({ codes: join(dir, 'b.npy'), rows: join(dir, 'nope.csv') })).rejects.toBeInstanceOf(DecodeError);
  });
});

describe.skipIf(!pageBuilt)('explorer server', () => {
  let dir: string;
  let server: ExplorerServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lk-serve-'));
    await writeNpy(join(dir, 'a.npy'), { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] });
    server = await startExplorerServer({ sets: [await readCodeSet({ codes: join(dir, 'a.npy') })] });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and serves the page, the listing and the codes', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const page = await get(server, '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('latentkit explorer');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const listing = JSON.parse((await get(server, '/sets.json')).body.toString());
    expect(listing.sets).toEqual([{ name: 'a', n: 2, d: 2, codes: 'data/0/codes.npy', rows: null, labels: null }]);
    const codes = await get(server, '/data/0/codes.npy');
    expect(Array.from(decodeNpy(new Uint8Array(codes.body)).data)).toEqual([1, 2, 3, 4]);
  });

  it('exposes nothing else: other paths, other methods, other hosts', async () => {
    expect((await get(server, '/data/0/rows.csv')).status).toBe(404);
    expect((await get(server, '/data/0/labels.bin')).status).toBe(404);
    expect((await get(server, '/data/1/codes.npy')).status).toBe(404);
    expect((await get(server, '/../../package.json')).status).toBe(404);
    expect((await get(server, '/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get(server, '/sets.json', { method: 'POST' })).status).toBe(405);
    expect((await get(server, '/sets.json', { host: 'evil.example:80' })).status).toBe(421);
    expect((await get(server, `/${'a'.repeat(3000)}`)).status).toBe(414);
  });
});
