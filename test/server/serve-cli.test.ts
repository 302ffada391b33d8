/**
 * @file `latentkit serve` as a user runs it: a child process from source on 127.0.0.1, port 0.
 * Load past its bounds gets 429 (the server in its own process, so requests really arrive while
 * it computes), and SIGTERM lets the requests in flight finish before the process exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, makeFixtures, post, postJson, type ServerFixtures } from './fixtures.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = resolve(REPO, 'packages', 'cli', 'src', 'bin.ts');

let dir: string;
let fx: ServerFixtures;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lk-serve-cli-'));
  fx = await makeFixtures(dir);
}, 240_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A `latentkit serve` child: its URL once it listens, its output, and its exit. */
interface ServeChild {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function serve(args: string[]): Promise<ServeChild> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'serve', '--port', '0', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not start; stderr: ${stderr}`)), 180_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    void exited.then((code) => rej(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

async function inFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^latentkit_requests_in_flight (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('latentkit serve', () => {
  it('answers 429 past --max-concurrent, and on SIGTERM finishes the requests in flight, then exits 0', async () => {
    // Small batches: the server yields between them, so /metrics and new requests get answers while both run.
    const s = await serve(['--model', `speech=${fx.audioDir}`, '--max-concurrent', '2', '--max-batch-rows', '4', '--timeout-ms', '600000']);
    expect(new URL(s.url).hostname).toBe('127.0.0.1');
    expect(s.stderr()).toMatch(/model speech: audio audio\/\S+ from /);

    // Two slow requests (36 clips each, in batches of 4) in flight; three more meet the bound
    // (429 before their bodies are read); then SIGTERM: what is in flight finishes before the exit.
    const clips = Array.from({ length: 6 }, () => fx.wavs.map(b64)).flat();
    const pending = [0, 1].map(() => postJson(`${s.url}/v1/models/speech/reconstruct?format=json`, { inputs: clips }).then((a) => ({ ...a, at: Date.now() })));
    const t0 = Date.now();
    while ((await inFlight(s.url)) !== 2 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 10));
    const quick = await Promise.all([0, 1, 2].map(() => post(`${s.url}/v1/models/speech/reconstruct`, fx.wavs[0], 'audio/wav')));
    s.child.kill('SIGTERM');
    const killedAt = Date.now();
    // On a loaded machine a slow request may finish before all three arrive, letting one in.
    expect(quick.map((r) => r.status)).toContain(429);
    expect(quick.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    const refused = quick.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.error).toMatchObject({ code: 'LK_BUSY', limit: 'maxConcurrentRequests', max: 2 });
    const answers = await Promise.all(pending);
    expect(Math.max(...answers.map((a) => a.at)), 'a request finished after SIGTERM').toBeGreaterThan(killedAt);
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.json).slice(0, 300)).toBe(200);
      expect(a.json.files).toHaveLength(clips.length);
      expect(Buffer.from(a.json.files[0].base64, 'base64').subarray(0, 4).toString('ascii')).toBe('RIFF');
    }
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(/SIGTERM: finishing the requests in flight[\s\S]*stopped/);
    // Gone: nothing listens any more.
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  }, 300_000);

  it('answers 429 LK_QUEUE_FULL past --max-queued-rows, serves the rest, and refuses a bad command line', async () => {
    const s = await serve(['--model', fx.audioDir, '--max-queued-rows', '4', '--max-batch-rows', '2']);
    const answers = await Promise.all(Array.from({ length: 8 }, () => postJson(`${s.url}/v1/models/voices/encode`, { inputs: fx.wavs.slice(0, 3).map(b64) })));
    const codes = answers.map((a) => a.status);
    expect(codes).toContain(200);
    expect(codes).toContain(429);
    expect(answers.find((a) => a.status === 429)!.json.error.code).toBe('LK_QUEUE_FULL');
    expect(answers.find((a) => a.status === 429)!.headers.get('retry-after')).toBe('1');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    const none = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'serve'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    none.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((res) => none.on('close', res));
    expect(code).toBe(2);
    expect(err).toMatch(/at least one model/);
  }, 300_000);
});
