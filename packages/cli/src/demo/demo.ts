/**
 * @file The one-command demo: every modality with a showcase trains small models on its
 * embedded data (or real data with `data`) and writes its section; then the codes each
 * returned are compared across modalities, exported into the latent explorer (static files in
 * `explorer/`), and `report.html` is written with the figures and sounds next to it. Offline; about three minutes on 2 cores.
 */
import { describeEngine, initEngine, type LabelledCodes, type ModalityDescriptor } from '@latentkit/core';
import type { OutputDir } from '../lib/output.js';
import type { ProgressOptions } from '../lib/progress.js';
import { formatSeconds } from '../lib/progress.js';
import { showcaseContext } from './context.js';
import { runCrossModalPart } from './crossmodal-part.js';
import { exportDemoExplorer } from './explorer-part.js';
import { renderReport, type ReportSection } from './report.js';
import { StageRunner, type StageRecord } from './stages.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder the report and its files go to. */
  out: OutputDir;
  /** Modalities whose showcases run, in order (earlier ones' codes are passed to later ones). */
  modalities: readonly ModalityDescriptor[];
  /** Data folder in the shared/data layout (MNIST, FSDD); undefined: embedded synthetic data. */
  data?: string;
  /** Tiny budgets (tests). @default false */
  quick?: boolean;
  /** @default 1 */
  seed?: number;
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
 * @param options output folder, modalities, data, quick, seed.
 * @returns the report path and the stage timings.
 * @throws whatever a stage throws (after recording it).
 * @example
 * ```ts
 * const out = await openOutputDir('out');
 * const { report } = await runDemo({ out, modalities: registeredModalities() });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const quick = options.quick ?? false;
  const seed = options.seed ?? 1;
  const stages = new StageRunner(log);
  // Rows per class and neighbours of the cross-modal comparison.
  const [perClass, k] = quick ? [4, 3] : [20, 10];
  const engine = await stages.run('engine', 3, async () => describeEngine(await initEngine()));
  log(`  ${engine}`);

  const sections: ReportSection[] = [];
  const codes: LabelledCodes[] = [];
  for (const m of options.modalities) {
    if (!m.showcase) continue;
    const ctx = showcaseContext({ out: options.out, quick, dataDir: options.data, seed, perClass, earlier: [...codes], stages, progress: options.progress ?? {}, log });
    const result = await m.showcase.run(ctx);
    sections.push(result.section);
    codes.push(...result.codes);
  }
  const cross = await runCrossModalPart({ out: options.out, stages, codes, perClass, k, seed });
  sections.push(cross.section);
  sections.push(await stages.run('explorer', 5, () => exportDemoExplorer(options.out, codes)));

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
    const shown = options.modalities.filter((m) => m.showcase).map((m) => m.name);
    const html = renderReport({
      title: 'latentkit demo',
      summary:
        `Small autoencoders for ${shown.join(', ')}, trained on this machine a moment ago` +
        (options.data ? ` on real data from ${options.data}` : ' on data latentkit generates itself (no downloads)') +
        '. Each section shows what a model rebuilds from its code and how its codes are organised; the last compares codes across modalities.',
      facts: [
        ['engine', engine.replace(/\s*\(.*\)\s*$/, '')],
        ['data', options.data ?? 'embedded synthetic data (each modality makes its own)'],
        ['mode', quick ? 'quick (tiny budgets: a smoke test, not a result)' : 'full'],
        ['seed', String(seed)],
        ['total time', formatSeconds(stages.elapsed())],
        ['created', new Date().toISOString()],
      ],
      sections: [...sections, timing],
    });
    return options.out.write('report.html', html);
  });
  return { report: reportPath, stages: stages.records, seconds: stages.elapsed(), stageTable: stages.table() };
}
