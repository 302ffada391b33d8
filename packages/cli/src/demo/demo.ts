/**
 * @file The one-command demo: trains small image, speech and text models on embedded data
 * (or real data with `data`), compares their latent spaces, and writes `report.html` with
 * PNG and WAV files next to it. Offline; about three minutes on 2 cores.
 */
import { describeEngine, initEngine } from '@latentkit/core';
import type { OutputDir } from '../lib/output.js';
import type { ProgressOptions } from '../lib/progress.js';
import { formatSeconds } from '../lib/progress.js';
import { runAudioPart, type AudioPartResult } from './audio-part.js';
import type { DemoContext } from './context.js';
import { runCrossModalPart } from './crossmodal-part.js';
import { runImagePart, type ImagePartResult } from './image-part.js';
import { demoPlan } from './plan.js';
import { renderReport, type ReportSection } from './report.js';
import { StageRunner, type StageRecord } from './stages.js';
import { runTextPart, type TextPartResult } from './text-part.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder the report and its files go to. */
  out: OutputDir;
  /** Data folder in the shared/data layout (MNIST, FSDD); undefined: embedded synthetic data. */
  data?: string;
  /** Tiny budgets (tests). @default false */
  quick?: boolean;
  /** @default 1 */
  seed?: number;
  /** Which parts to run. @default all of them */
  parts?: readonly ('image' | 'audio' | 'text')[];
  progress?: ProgressOptions;
  log?: (message: string) => void;
}

/** What {@link runDemo} produced. */
export interface DemoResult {
  /** Absolute path of `report.html`. */
  report: string;
  stages: StageRecord[];
  seconds: number;
  /** The stage list as text (printed at the end of the CLI run). */
  stageTable: string;
}

/**
 * Runs the demo and writes the report.
 * @param options output folder, data, quick, seed, parts.
 * @returns the report path and the stage timings.
 * @throws whatever a stage throws (after recording it).
 * @example
 * ```ts
 * const out = await openOutputDir('out');
 * const { report } = await runDemo({ out });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const quick = options.quick ?? false;
  const stages = new StageRunner(log);
  const ctx: DemoContext = {
    out: options.out,
    plan: demoPlan(quick, options.data !== undefined),
    data: options.data,
    seed: options.seed ?? 1,
    stages,
    progress: options.progress ?? {},
    log,
  };
  const want = new Set(options.parts ?? ['image', 'audio', 'text']);
  const engine = await stages.run('engine', 3, async () => describeEngine(await initEngine()));
  log(`  ${engine}`);

  const sections: ReportSection[] = [];
  let image: ImagePartResult | undefined;
  let audio: AudioPartResult | undefined;
  let text: TextPartResult | undefined;
  if (want.has('image')) {
    image = await runImagePart(ctx);
    sections.push(image.section);
  }
  if (want.has('audio')) {
    audio = await runAudioPart(ctx);
    sections.push(audio.section);
  }
  if (want.has('text')) {
    const audioModule = await import('@latentkit/audio');
    // The vowel sequences the synthetic speech actually says (class i = SYNTHETIC_CONTENTS[i]).
    const said = audio && audio.content.concept === 'vowel sequence' ? Math.max(...audio.content.labels) + 1 : 8;
    const vowelClasses = audioModule.SYNTHETIC_CONTENTS.slice(0, said);
    text = await runTextPart(ctx, vowelClasses);
    sections.push(text.section);
  }
  const cross = await runCrossModalPart(ctx, { image, audio, text });
  sections.push(cross.section);

  const reportPath = await stages.run('report', 2, async () => {
    const timing: ReportSection = {
      id: 'timing',
      title: 'Stages and times',
      items: [
        {
          type: 'table',
          header: ['stage', 'seconds', 'budget (s)', 'status'],
          rows: stages.records.map((r) => [r.name, r.seconds, r.budget, r.status + (r.note ? `: ${r.note}` : '')]),
        },
      ],
    };
    const html = renderReport({
      title: 'latentkit demo',
      summary:
        'Small autoencoders for images, speech and text, trained on this machine a moment ago' +
        (options.data ? ` on real data from ${options.data}` : ' on data latentkit generates itself (no downloads)') +
        '. Each section shows what a model rebuilds from its code and how its codes are organised; the last compares codes across modalities.',
      facts: [
        ['engine', engine.replace(/\s*\(.*\)\s*$/, '')],
        ['data', options.data ?? 'embedded synthetic data (glyph images, formant-synthesised speech, template sentences)'],
        ['mode', quick ? 'quick (tiny budgets: a smoke test, not a result)' : 'full'],
        ['seed', String(ctx.seed)],
        ['total time', formatSeconds(stages.elapsed())],
        ['created', new Date().toISOString()],
      ],
      sections: [...sections, timing],
    });
    return ctx.out.write('report.html', html);
  });
  return { report: reportPath, stages: stages.records, seconds: stages.elapsed(), stageTable: stages.table() };
}
