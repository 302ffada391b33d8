import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSaveError, VectorAutoencoder, initEngine, readManifest, saveModelFolder } from '@latentkit/core';
import { sweepGenerations } from './generations.js';

let root: string;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'lk-gen-'));
});
afterAll(async () => root && rm(root, { recursive: true, force: true }));

/** The pid of a process that has exited (so `kill(pid, 0)` fails). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function savedTwice(name: string): Promise<{ dir: string; model: VectorAutoencoder }> {
  const model = VectorAutoencoder.create({ inputDim: 4, latentDim: 2, hidden: [4] });
  const dir = join(root, name);
  await model.save(dir);
  return { dir, model };
}

describe('generation clean-up', () => {
  it('removes generations and markers of dead writers and their temporary files, keeps live and foreign ones', async () => {
    const { dir, model } = await savedTwice('sweep');
    const dead = deadPid();
    const marker = (root: string, pid: number, host = hostname()) => writeFile(join(dir, `.${root}.writer`), JSON.stringify({ pid, host, createdAt: Date.now() }));
    // A killed save: its generation half written, its marker naming a dead process.
    await mkdir(join(dir, 'weights-dead', 'encoder'), { recursive: true });
    await marker('weights-dead', dead);
    // A save still under way in a live process (this one), not yet committed.
    await mkdir(join(dir, 'weights-live'), { recursive: true });
    await marker('weights-live', process.pid);
    // A writer on another machine: its pid means nothing here.
    await mkdir(join(dir, 'weights-remote'), { recursive: true });
    await marker('weights-remote', dead, 'another-host');
    // Left by killed writers: an orphan marker and manifest temporary files.
    await marker('weights-never-made', dead);
    await writeFile(join(dir, `.latentkit.json.tmp-${dead}-0123abcd`), '{');
    await writeFile(join(dir, `.latentkit.json.tmp-${process.pid}-0123abcd`), '{');
    // An old generation nobody writes.
    await mkdir(join(dir, 'weights-old'), { recursive: true });

    await model.save(dir);
    const current = (await readManifest(dir)).root;
    expect((await readdir(dir)).sort()).toEqual(
      [`.latentkit.json.tmp-${process.pid}-0123abcd`, '.weights-live.writer', '.weights-remote.writer', current, 'latentkit.json', 'weights-live', 'weights-remote'].sort(),
    );
    model.dispose();
  });

  it('never removes the generation latentkit.json names, even when its writer died before removing its marker', async () => {
    const { dir, model } = await savedTwice('current-dead-marker');
    const current = (await readManifest(dir)).root;
    await writeFile(join(dir, `.${current}.writer`), JSON.stringify({ pid: deadPid(), host: hostname(), createdAt: Date.now() }));
    await sweepGenerations(dir, async () => current);
    expect((await readdir(dir)).sort()).toEqual([current, 'latentkit.json'].sort());
    // Without a readable manifest nothing is removed at all.
    await mkdir(join(dir, 'weights-other'));
    await sweepGenerations(dir, async () => undefined);
    expect((await readdir(dir)).sort()).toEqual([current, 'latentkit.json', 'weights-other'].sort());
    (await VectorAutoencoder.load(dir)).dispose();
    model.dispose();
  });

  it('concurrent saves in one process all return, and the folder ends with one loadable generation', async () => {
    const models = Array.from({ length: 6 }, (_, i) => VectorAutoencoder.create({ inputDim: 4, latentDim: 2, hidden: [4], seed: i }));
    const dir = join(root, 'same-process');
    await Promise.all(models.map((m) => m.save(dir)));
    await Promise.all(models.map((m) => m.save(dir)));
    const entries = await readdir(dir);
    expect(entries.filter((e) => e.startsWith('weights-'))).toHaveLength(1);
    expect(entries.filter((e) => e.startsWith('.'))).toEqual([]);
    (await VectorAutoencoder.load(dir)).dispose();
    for (const m of models) m.dispose();
  });

  it('a save the file system refuses is a ModelSaveError, keeps the previous model and leaves nothing behind', async () => {
    const { dir, model } = await savedTwice('refused');
    const before = await readdir(dir);
    const manifest = await readFile(join(dir, 'latentkit.json'), 'utf8');
    // An extra file named like a network folder: writing it fails with EISDIR, whoever runs this.
    const e = await saveModelFolder(dir, { config: model.config, networks: model.networks, extraFiles: { encoder: 'x' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelSaveError);
    expect((e as ModelSaveError).code).toBe('LK_MODEL_SAVE');
    expect((e as ModelSaveError).message).toMatch(/EISDIR/);
    expect(await readFile(join(dir, 'latentkit.json'), 'utf8')).toBe(manifest);
    expect((await readdir(dir)).sort()).toEqual(before.sort());
    (await VectorAutoencoder.load(dir)).dispose();
    model.dispose();
  });
});
