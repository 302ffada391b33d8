/**
 * @file `npm run bench -- audio-cli [--datasets tts-speakers,fsdd,voices] [--work <dir>]
 * [--json <file>]`: the audio benchmark's figures as a user gets them, by running
 * `latentkit train audio --data <dir> --out <model>` and `latentkit encode audio` as child
 * processes of packages/cli/dist/bin.js (build it first), with the CLI's defaults, and reporting
 * each figure next to the recipe's (bench/results/audio.json, `npm run bench -- audio`).
 *
 * - tts-speakers: the bench's 12 seen voices x 24 items are copied into `<work>/tts-train` as
 *   `voice_item.wav` (no manifest: speakers come from the file names);
 *   `train audio --data <work>/tts-train`; the 5 held-out voices' 150 clips (`<work>/tts-unseen`)
 *   are encoded with `--part speaker`, and the EER of same-voice verification over all pairs,
 *   cosine-scored, is the figure (target <= 0.08 through the CLI).
 * - voices: bench/audio/make-voices.sh synthesises 8 espeak-ng voices that tts-speakers lacks
 *   (other variants, accents, pitches, speeds) into `<work>/voices`; the tts-speakers model's
 *   speaker codes give their EER the same way.
 * - fsdd: `train audio --data <data>/fsdd` (the FSDD layout: takes 5-49, all 2,700 of them:
 *   `--count` only sizes the embedded data); the training takes
 *   and the test takes 0-4 are encoded (`--part all` = speaker code then pooled content code),
 *   and linear probes fitted on the training codes are scored on the test codes, as the audio
 *   suite does.
 *
 * `--work <dir>` keeps the folders, models and logs; a model folder already there from the same
 * command is reused (the log says so), so a run can be finished after an interruption.
 * `--cli-<flag> <value>` adds `--<flag> <value>` to both train commands (e.g. `--cli-epochs 1
 * --cli-count 40` to try the path quickly; the figures are then not the defaults'); `--quick`
 * adds `--epochs 3`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { linearProbe, listFiles, readNpy } from '@latentkit/core';
import { requireData, type BenchContext, type BenchSuite } from '../lib/suite.js';
import { formatTable } from '../lib/table.js';
import { HELD_OUT_VOICES, TTS_TEST_ITEMS, verificationEer } from './audio.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** One figure through the CLI, beside the recipe's. */
interface CliRow {
  dataset: string;
  figure: string;
  cli: number;
  recipe: number | null;
  target: string;
  command: string;
}

/** Runs `node bin.js ...args`, teeing its output to `log`; rejects on a non-zero exit. */
async function latentkit(ctx: BenchContext, args: string[], log: string): Promise<number> {
  const t0 = performance.now();
  ctx.log(`$ latentkit ${args.join(' ')}`);
  const out: string[] = [];
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      out.push(text);
      // Progress bars redraw with \r; the log keeps whole lines.
      for (const line of text.split(/\r|\n/)) if (/^(saved|training|audio|wrote|encoded|backend)/.test(line)) ctx.log(`  ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', fail);
    child.on('close', (c) => done(c ?? 1));
  });
  await writeFile(log, `$ latentkit ${args.join(' ')}\n${out.join('')}`);
  if (code !== 0) throw new Error(`latentkit ${args[0]} ${args[1]} exited ${code}; see ${log}`);
  return (performance.now() - t0) / 1000;
}

/** Trains unless `<model>/latentkit.json` exists from an earlier run of the same command. */
async function train(ctx: BenchContext, data: string, model: string, extra: string[]): Promise<string> {
  const args = ['train', 'audio', '--data', data, '--out', model, ...extra];
  const command = `latentkit ${args.join(' ')}`;
  const log = `${model}.train.log`;
  if (existsSync(join(model, 'latentkit.json')) && existsSync(log) && readFileSync(log, 'utf8').startsWith(`$ ${command}\n`)) {
    ctx.log(`reusing ${model}, trained earlier by: ${command}`);
  } else {
    const seconds = await latentkit(ctx, args, log);
    ctx.log(`trained in ${seconds.toFixed(0)} s`);
  }
  return command.replace(data, '<data>').replace(model, '<model>');
}

/** Rows of an `encode` .npy, in the order `encode` read the folder (core's listFiles). */
async function encode(ctx: BenchContext, model: string, dir: string, part: 'speaker' | 'all', out: string): Promise<{ rows: Float32Array[]; files: string[] }> {
  await latentkit(ctx, ['encode', 'audio', '--model', model, '--in', dir, '--part', part, '--out', out], `${out}.log`);
  const npy = await readNpy(out);
  const [n, d] = npy.shape;
  if (npy.dtype !== 'float32' || npy.shape.length !== 2) throw new Error(`${out}: expected a float32 [n, d] array`);
  const data = npy.data;
  const files = await listFiles(dir, ['.wav', '.wave']);
  if (files.length !== n) throw new Error(`${out}: ${n} rows for ${files.length} files in ${dir}`);
  return { rows: Array.from({ length: n }, (_, i) => data.subarray(i * d, (i + 1) * d)), files };
}

/** Same-speaker verification EER of speaker codes, speaker = the file name's part before `_`. */
async function eerOf(codes: { rows: Float32Array[]; files: string[] }): Promise<{ eer: number; trials: number; voices: number }> {
  const speakers = codes.files.map((f) => basename(f).split('_')[0]);
  const { eer, trials } = await verificationEer(codes.rows, speakers);
  return { eer, trials, voices: new Set(speakers).size };
}

/** The figure the recipe reached in the committed audio benchmark. */
function recipeFigure(dataset: string, field: string): number | null {
  const path = join(ROOT, 'bench', 'results', 'audio.json');
  if (!existsSync(path)) return null;
  const row = (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[]).find((r) => r.dataset === dataset);
  return typeof row?.[field] === 'number' ? row[field] : null;
}

async function copyWhere(from: string, to: string, keep: (name: string) => boolean): Promise<number> {
  await mkdir(to, { recursive: true });
  const names = (await readdir(from)).filter((n) => n.endsWith('.wav') && keep(n));
  for (const n of names) if (!existsSync(join(to, n))) await copyFile(join(from, n), join(to, n));
  return names.length;
}

async function runTts(ctx: BenchContext, work: string, extra: string[], withVoices: boolean, rows: CliRow[]): Promise<void> {
  const src = requireData(ctx.dataDir, 'tts-speakers');
  const voiceOf = (n: string) => n.split('_')[0];
  const itemOf = (n: string) => n.split('_')[1].replace(/\.wav$/, '');
  const nTrain = await copyWhere(src, join(work, 'tts-train'), (n) => !HELD_OUT_VOICES.includes(voiceOf(n)) && !TTS_TEST_ITEMS.has(itemOf(n)));
  const nUnseen = await copyWhere(src, join(work, 'tts-unseen'), (n) => HELD_OUT_VOICES.includes(voiceOf(n)));
  ctx.log(`tts-speakers: ${nTrain} training clips (12 voices), ${nUnseen} clips of the ${HELD_OUT_VOICES.length} held-out voices`);
  const model = join(work, 'tts-model');
  const command = await train(ctx, join(work, 'tts-train'), model, extra);
  const unseen = await eerOf(await encode(ctx, model, join(work, 'tts-unseen'), 'speaker', join(work, 'tts-unseen.npy')));
  ctx.log(`tts-speakers: EER ${unseen.eer.toFixed(4)} over ${unseen.trials} trials among ${unseen.voices} held-out voices`);
  const encodeCmd = 'latentkit encode audio --model <model> --in <held-out voices> --part speaker';
  rows.push({ dataset: 'tts-speakers', figure: 'unseen-voice EER', cli: unseen.eer, recipe: recipeFigure('tts-speakers', 'eer_unseen_voices'), target: '<= 0.08', command: `${command}; ${encodeCmd}` });
  if (!withVoices) return;
  const voices = join(work, 'voices');
  if (!existsSync(join(voices, 'voices.csv'))) {
    await new Promise<void>((done, fail) => {
      const child = spawn('bash', [join(ROOT, 'bench', 'audio', 'make-voices.sh'), voices], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', fail);
      child.on('close', (c) => (c === 0 ? done() : fail(new Error(`make-voices.sh exited ${c}`))));
    });
  }
  const made = await eerOf(await encode(ctx, model, voices, 'speaker', join(work, 'voices.npy')));
  ctx.log(`espeak-ng voices: EER ${made.eer.toFixed(4)} over ${made.trials} trials among ${made.voices} voices`);
  rows.push({ dataset: 'espeak-ng voices (make-voices.sh)', figure: 'unseen-voice EER', cli: made.eer, recipe: null, target: '-', command: `${command}; latentkit encode audio --model <model> --in <voices> --part speaker` });
}

async function runFsdd(ctx: BenchContext, work: string, extra: string[], rows: CliRow[]): Promise<void> {
  const recordings = requireData(ctx.dataDir, join('fsdd', 'recordings'));
  const takeOf = (n: string) => Number(n.split('_')[2].replace(/\.wav$/, ''));
  await copyWhere(recordings, join(work, 'fsdd-train'), (n) => takeOf(n) >= 5);
  await copyWhere(recordings, join(work, 'fsdd-test'), (n) => takeOf(n) < 5);
  const model = join(work, 'fsdd-model');
  const command = await train(ctx, resolve(ctx.dataDir, 'fsdd'), model, extra);
  const speakerDim = (JSON.parse(await readFile(join(model, 'latentkit.json'), 'utf8')) as { config: { speakerDim: number } }).config.speakerDim;
  const [tr, te] = [await encode(ctx, model, join(work, 'fsdd-train'), 'all', join(work, 'fsdd-train.npy')), await encode(ctx, model, join(work, 'fsdd-test'), 'all', join(work, 'fsdd-test.npy'))];
  // `--part all` is the speaker code followed by the pooled content code.
  const split = (rows: Float32Array[], which: 'speaker' | 'content') => rows.map((r) => (which === 'speaker' ? r.subarray(0, speakerDim) : r.subarray(speakerDim)));
  const label = (files: string[], which: 'speaker' | 'digit') => {
    const names = files.map((f) => basename(f).split('_')[which === 'speaker' ? 1 : 0]);
    const classes = [...new Set(names)].sort();
    return names.map((n) => classes.indexOf(n));
  };
  const probe = async (code: 'speaker' | 'content', target: 'speaker' | 'digit') =>
    (await linearProbe(split(tr.rows, code), label(tr.files, target), split(te.rows, code), label(te.files, target))).accuracy;
  const encodeCmd = 'latentkit encode audio --model <model> --in <takes> --part all';
  const figures: [string, 'speaker' | 'content', 'speaker' | 'digit', string, string][] = [
    ['speaker from speaker code', 'speaker', 'speaker', 'speaker_acc_from_speaker', '>= 0.95'],
    ['speaker from content code', 'content', 'speaker', 'speaker_acc_from_content', '<= 0.35'],
    ['digit from content code', 'content', 'digit', 'digit_acc_from_content', '>= 0.90'],
    ['digit from speaker code', 'speaker', 'digit', 'digit_acc_from_speaker', '<= 0.25'],
  ];
  for (const [figure, code, target, field, goal] of figures) {
    rows.push({ dataset: 'fsdd', figure, cli: await probe(code, target), recipe: recipeFigure('fsdd', field), target: goal, command: `${command}; ${encodeCmd}` });
  }
}

const suite: BenchSuite = {
  name: 'audio-cli',
  description: 'the audio benchmark through `latentkit train audio` / `encode audio` with the CLI defaults, next to the recipe figures',
  async run(ctx: BenchContext) {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx turbo run build\` first.`);
    const work = typeof ctx.args.work === 'string' ? resolve(ctx.args.work) : await mkdtemp(join(tmpdir(), 'latentkit-audio-cli-'));
    await mkdir(work, { recursive: true });
    ctx.log(`work folder: ${work}`);
    // Train flags travel as --cli-<flag>: a bare --epochs here would be the bench's, not the CLI's.
    const stray = ['recipe', 'epochs', 'count', 'labels', 'speed', 'seed', 'batch-size', 'lr'].filter((f) => ctx.args[f] !== undefined);
    if (stray.length) throw new Error(`audio-cli trains with the CLI's defaults; pass ${stray.map((f) => `--cli-${f}`).join(', ')} to change them.`);
    const extra = Object.entries(ctx.args)
      .filter(([k, v]) => k.startsWith('cli-') && v !== undefined)
      .flatMap(([k, v]) => [`--${k.slice(4)}`, String(v)]);
    if (ctx.quick && extra.length === 0) extra.push('--epochs', '3');
    const only = typeof ctx.args.datasets === 'string' ? ctx.args.datasets.split(',') : ['tts-speakers', 'voices', 'fsdd'];
    const rows: CliRow[] = [];
    if (only.includes('tts-speakers') || only.includes('voices')) await runTts(ctx, work, extra, only.includes('voices'), rows);
    if (only.includes('fsdd')) await runFsdd(ctx, work, extra, rows);
    ctx.log('\n' + formatTable(rows.map(({ command: _c, ...r }) => ({ ...r, cli: Number(r.cli.toFixed(4)), recipe: r.recipe === null ? '-' : Number(r.recipe.toFixed(4)) }))));
    for (const c of new Set(rows.map((r) => r.command))) ctx.log(`command: ${c}`);
    return { extra_train_args: extra, rows };
  },
};

export default suite;
