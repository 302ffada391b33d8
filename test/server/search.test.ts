/**
 * @file The server answering search queries from a latent store (LanceDB, @latentkit/store):
 * a sentence sent to /v1/models/:id/search is encoded by the served model into the part the
 * store holds and finds its own row first; /v1/search takes a code or a stored row; a query of
 * the wrong width or for a model that did not make the store's codes gets a 4xx.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, stackLatents } from '@latentkit/core';
import { LatentStore } from '@latentkit/store';
import { createServer, type LatentServer } from '@latentkit/server';
import { makeFixtures, postJson, type ServerFixtures } from './fixtures.js';

let dir: string;
let fx: ServerFixtures;
let store: LatentStore;
let server: LatentServer;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-server-search-'));
  fx = await makeFixtures(dir);
  const model = await loadModel(fx.textDir);
  const codes = stackLatents(await model.encode(fx.sentences));
  model.dispose();
  store = await LatentStore.open(join(dir, 'store'));
  await store.add(codes, fx.sentences.map((text, i) => ({ source: `s.txt:${i + 1}`, line: i + 1, text })), { modality: 'text', modelId: 'tiny-sentences' });
  server = await createServer({
    models: [{ dir: fx.textDir }, { id: 'other', dir: fx.textDir }],
    search: { store, matches: (id) => id !== 'other' },
  });
  url = await server.listen();
}, 240_000);

afterAll(async () => {
  await server?.close();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('search from a store', () => {
  it('finds a sentence\'s own row first, from the sentence or from a stored row', async () => {
    const r = await postJson(`${url}/v1/models/sentences/search?k=3`, { inputs: [fx.sentences[2]] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.hits).toHaveLength(3);
    expect(r.json.hits[0]).toMatchObject({ id: 2, text: fx.sentences[2], modality: 'text' });
    expect(r.json.hits[0].distance).toBeLessThan(1e-4);
    const byRow = await postJson(`${url}/v1/search`, { row: 4, k: 2 });
    expect(byRow.status).toBe(200);
    expect(byRow.json.hits[0]).toMatchObject({ id: 4, text: fx.sentences[4] });
  });

  it('refuses a code of the wrong width, an unknown modality and a model that did not make the codes', async () => {
    const wide = await postJson(`${url}/v1/search`, { modality: 'text', vector: [1, 2, 3] });
    expect(wide.status).toBe(422);
    expect(wide.json.error.message).toMatch(/3 values/);
    const none = await postJson(`${url}/v1/search`, { modality: 'audio', vector: [1, 2, 3] });
    expect(none.status).toBe(422);
    const other = await postJson(`${url}/v1/models/other/search`, { inputs: [fx.sentences[0]] });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('LK_MODEL_MISMATCH');
    const bad = await postJson(`${url}/v1/search`, { k: 3 });
    expect(bad.status).toBe(400);
  });
});
