/**
 * @file The CLI's hostile-path cases (test/reliability/hostile-cases.ts, the CLI run in this
 * process; the report's own example also in a child process, as a user runs it): an output
 * inside a folder the command reads (the model folder, its manifest or a weight file, `--data`,
 * an `--in` folder), an `--out` that is a symbolic link (to a folder, a file, nowhere), and a
 * model whose `latentkit.json` or weight file is a link out of the folder. Each must fail with a
 * typed error and leave everything as it was.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@latentkit/core';
import { runPathCases, type CaseOutcome } from '../reliability/hostile-cases.js';
import { runLatentkit } from './run-cli.js';

let dir: string;
let outcomes: CaseOutcome[];
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lk-paths-'));
  outcomes = await runPathCases(join(dir, 'cases'));
}, 300_000);
afterAll(async () => dir && rm(dir, { recursive: true, force: true }));

/** The error class each case must end in. */
function expectedClass(name: string): string {
  if (/link-(dir|file|dangling)|links out/.test(name)) return 'PathEscapeError';
  return 'InvalidArgumentError';
}

describe('hostile output paths', () => {
  it('covers outputs in the model, --in and --data folders, --out links in three commands, and linked model files', () => {
    expect(outcomes).toHaveLength(17);
  });

  it('every case is refused with its typed error, and nothing protected changes', () => {
    const bad = outcomes.filter((o) => o.errorClass !== expectedClass(o.name) || o.code === undefined || !o.unchanged);
    expect(bad.map((o) => `${o.name}: ${o.errorClass} ${o.code} unchanged=${o.unchanged} ${o.detail}`)).toEqual([]);
    expect(outcomes.filter((o) => /link/.test(o.name) && !/links out/.test(o.name)).every((o) => /symbolic link/.test(o.detail ?? ''))).toBe(true);
    expect(outcomes.filter((o) => expectedClass(o.name) === 'InvalidArgumentError').every((o) => /a folder this command reads/.test(o.detail ?? ''))).toBe(true);
  });

  it("the report's example in a child process: encode --out <model>/latentkit.json exits 1 and the model still loads", async () => {
    const model = join(dir, 'cases', 'model');
    const before = await readFile(join(model, 'latentkit.json'));
    const r = await runLatentkit(['encode', 'image', '--model', model, '--in', join(dir, 'cases', 'pngs', 'a.png'), '--out', join(model, 'latentkit.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^latentkit: .*a folder this command reads/m);
    expect(await readFile(join(model, 'latentkit.json'))).toEqual(before);
    const ok = await runLatentkit(['encode', 'image', '--model', model, '--in', join(dir, 'cases', 'pngs'), '--out', join(dir, 'ok.npy')]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('the shipped sentence model, read when encode text has no --model, is protected like one', async () => {
    const { defaultSentenceAutoencoderPath } = await import('@latentkit/text');
    const shipped = defaultSentenceAutoencoderPath();
    const before = await readFile(join(shipped, 'latentkit.json'));
    await writeFile(join(dir, 'two.txt'), 'the cat sat on the mat\na dog runs in the park\n');
    const r = await runLatentkit(['encode', 'text', '--in', join(dir, 'two.txt'), '--out', join(shipped, 'latentkit.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^latentkit: .*a folder this command reads/m);
    expect(await readFile(join(shipped, 'latentkit.json'))).toEqual(before);
  });
});
