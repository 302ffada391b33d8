/**
 * @file The README's code blocks under "Five lines per modality" and "The engine" run as
 * written, each in a fresh Node process (as a new user pastes them into a file): no engine set
 * up beforehand, no model registration. The "any modality" block continues the image block, as
 * the README says, so it runs after it in the same file.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
// Scripts live inside the repository so `@latentkit/*` resolves from them; they run in a temp folder.
const SCRIPTS = join(REPO, '.vitest-tmp', `readme-${process.pid}`);
let cwd: string;

/** The ```ts blocks of one `## ` section of the README. */
async function blocks(section: string): Promise<string[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  expect(start, `README section '${section}'`).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 4);
  return [...readme.slice(start, end < 0 ? undefined : end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

// `--import tsx` would resolve tsx from the temp folder; give Node its absolute URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

async function run(name: string, code: string): Promise<{ code: number | null; out: string }> {
  const file = join(SCRIPTS, `${name}.ts`);
  await writeFile(file, code);
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (c) => res({ code: c, out }));
  });
}

beforeAll(async () => {
  await mkdir(SCRIPTS, { recursive: true });
  cwd = await mkdtemp(join(tmpdir(), 'lk-readme-'));
});
afterAll(async () => {
  await rm(SCRIPTS, { recursive: true, force: true });
  await rm(cwd, { recursive: true, force: true });
});

describe('README examples', () => {
  it('the four "five lines" blocks and the engine block run as written', async () => {
    const [image, speech, text, any] = await blocks('Five lines per modality');
    const [engine] = await blocks('The engine');
    expect([image, speech, text, any, engine].every((b) => typeof b === 'string' && b.length > 0)).toBe(true);
    // The "any modality" block uses the image block's `ae` and `images`; imports go first.
    const imports = (b: string) => b.split('\n').filter((l) => l.startsWith('import ')).join('\n');
    const body = (b: string) => b.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
    const runs = await Promise.all([
      run('image-and-any', `${imports(image)}\n${imports(any)}\n${body(image)}\n${body(any)}\nconsole.log('codes', batch.shape.join('x'), 'pca', pca.nComponents);\n`),
      run('speech', `${speech}\nconsole.log('speech parts', Object.keys(code.parts ?? {}).sort().join(','));\n`),
      run('text', text),
      run('engine', engine),
    ]);
    for (const r of runs) expect(r.code, r.out.slice(-3000)).toBe(0);
    const [imageRun, speechRun, textRun, engineRun] = runs;
    expect(imageRun.out).toMatch(/codes 1000x16 pca 2/);
    expect(speechRun.out).toMatch(/speech parts .*content.*speaker/);
    expect(textRun.out).toMatch(/the cat sat on the mat/);
    expect(engineRun.out).toMatch(/backend: (node|ort|wasm|cpu)/);
    for (const f of ['grid.png', 'converted.wav', 'codes.npy']) expect((await stat(join(cwd, f))).size, f).toBeGreaterThan(100);
  }, 300_000);
});
