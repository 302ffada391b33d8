/**
 * @file Progress on stderr: a cli-progress bar with ETA when stderr is a terminal, plain
 * one-line-per-epoch (or per step) logs otherwise, so piped output and CI logs stay readable.
 * Training progress is rendered from core's ProgressEvent stream (`fit`'s `onProgress`).
 */
import cliProgress from 'cli-progress';
import { engineNews, type ProgressEvent } from '@latentkit/core';

/** Where and how progress is shown. */
export interface ProgressOptions {
  /** @default process.stderr */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Show nothing. @default false */
  quiet?: boolean;
  /** Draw a bar; `false` prints plain lines. @default whether `stream` is a TTY */
  tty?: boolean;
}

/** Seconds as `1m05s` / `12s` / `0.4s`. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function fmtLoss(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toPrecision(4);
}

function useTty(o: ProgressOptions): { stream: NodeJS.WritableStream; tty: boolean } {
  const stream = o.stream ?? process.stderr;
  return { stream, tty: o.tty ?? Boolean((stream as { isTTY?: boolean }).isTTY) };
}

/** Renders one training run. */
export interface TrainingProgress {
  /** Pass as `fit({ onProgress })`. */
  onProgress(event: ProgressEvent): void;
  /** Closes the bar (idempotent); call in `finally`. */
  stop(): void;
  /** Epochs completed so far and the last epoch's loss. */
  readonly completed: { epochs: number; loss: number | undefined; valLoss: number | undefined };
}

/**
 * Progress of one `fit`: a bar over all batches of all epochs with loss and ETA on a
 * terminal, one line per epoch otherwise.
 * @param label shown before the bar or line, e.g. `image conv-ae`.
 * @param options stream, quiet, tty.
 * @returns the handler and a `stop`.
 * @example
 * ```ts
 * const p = trainingProgress('image conv-ae');
 * try { await model.fit(images, { epochs: 10, onProgress: p.onProgress }); } finally { p.stop(); }
 * ```
 */
export function trainingProgress(label: string, options: ProgressOptions = {}): TrainingProgress {
  const { stream, tty } = useTty(options);
  const completed = { epochs: 0, loss: undefined as number | undefined, valLoss: undefined as number | undefined };
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  let perEpoch = 1;
  let stopped = false;
  const write = (line: string) => {
    if (!options.quiet) stream.write(`${line}\n`);
  };
  const stop = () => {
    if (bar && !stopped) bar.stop();
    stopped = true;
  };
  const onProgress = (e: ProgressEvent) => {
    if (options.quiet) {
      if (e.type === 'epoch') Object.assign(completed, { epochs: e.epoch, loss: e.loss, valLoss: e.valLoss });
      return;
    }
    switch (e.type) {
      case 'start': {
        perEpoch = e.batchesPerEpoch ?? 1;
        if (tty) {
          bar = new cliProgress.SingleBar({
            stream,
            format: `${label} [{bar}] {percentage}% | epoch {epoch}/{epochs} | loss {loss} | {speed}/s | ETA {etaText}`,
            barsize: 24,
            hideCursor: true,
            fps: 8,
          });
          bar.start(e.epochs * perEpoch, e.startEpoch * perEpoch, { epoch: e.startEpoch + 1, epochs: e.epochs, loss: '-', speed: '-', etaText: '?' });
        } else {
          write(`${label}: training ${e.epochs} epoch${e.epochs === 1 ? '' : 's'}${e.batchesPerEpoch ? ` of ${e.batchesPerEpoch} batches` : ''}`);
        }
        break;
      }
      case 'batch':
        bar?.update((e.epoch - 1) * perEpoch + e.batch, {
          epoch: e.epoch,
          epochs: e.epochs,
          loss: fmtLoss(e.loss),
          speed: Math.round(e.samplesPerSecond),
          etaText: formatSeconds(e.etaSeconds),
        });
        break;
      case 'epoch': {
        Object.assign(completed, { epochs: e.epoch, loss: e.loss, valLoss: e.valLoss });
        if (bar) {
          bar.update(e.epoch * perEpoch, {
            epoch: e.epoch,
            epochs: e.epochs,
            loss: fmtLoss(e.valLoss ?? e.loss),
            speed: Math.round(e.samplesPerSecond),
            etaText: formatSeconds(e.etaSeconds),
          });
        } else {
          const extra = Object.entries(e.metrics).map(([k, v]) => ` ${k} ${fmtLoss(v)}`).join('');
          const val = e.valLoss !== undefined ? ` val ${fmtLoss(e.valLoss)}` : '';
          write(
            `${label}: epoch ${e.epoch}/${e.epochs} loss ${fmtLoss(e.loss)}${val}${extra} ` +
              `(${formatSeconds(e.seconds)}, ${Math.round(e.samplesPerSecond)} samples/s, ETA ${formatSeconds(e.etaSeconds)})`,
          );
        }
        break;
      }
      case 'engine': {
        // The plain start event is no news: the engine line at the start already said it.
        const news = engineNews(e);
        if (news) write(`${label}: ${news}`);
        break;
      }
      case 'early-stop':
        stop();
        write(`${label}: stopped early at epoch ${e.epoch} (best epoch ${e.bestEpoch}, loss ${fmtLoss(e.bestLoss)})`);
        break;
      case 'end':
        stop();
        write(`${label}: ${e.epochs} epoch${e.epochs === 1 ? '' : 's'} in ${formatSeconds(e.seconds)}`);
        break;
      default:
        break;
    }
  };
  return { onProgress, stop, completed };
}

/** Progress over a known number of items (files read, samples encoded). */
export interface CountProgress {
  /** Adds `n` done items. */
  tick(n?: number): void;
  stop(): void;
}

/**
 * Progress of a long loop over `total` items: a bar with ETA on a terminal; otherwise a line
 * at most every `every` seconds (and at the end), only when the loop is long enough to need one.
 * @param label e.g. `encoding`.
 * @param total number of items.
 * @param options stream, quiet, tty.
 * @returns `tick` and `stop`.
 */
export function countProgress(label: string, total: number, options: ProgressOptions & { every?: number } = {}): CountProgress {
  const { stream, tty } = useTty(options);
  let done = 0;
  const t0 = performance.now();
  let lastLine = t0;
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  if (!options.quiet && tty && total > 0) {
    bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}`, barsize: 24, hideCursor: true, fps: 8 });
    bar.start(total, 0);
  }
  let stopped = false;
  return {
    tick(n = 1) {
      done += n;
      if (options.quiet) return;
      if (bar) {
        bar.update(done);
        return;
      }
      const now = performance.now();
      if (now - lastLine >= (options.every ?? 5) * 1000 && done < total) {
        lastLine = now;
        const rate = done / ((now - t0) / 1000);
        stream.write(`${label}: ${done}/${total} (ETA ${formatSeconds((total - done) / Math.max(rate, 1e-9))})\n`);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (bar) bar.stop();
      else if (!options.quiet && performance.now() - t0 > 2000) {
        stream.write(`${label}: ${done}/${total} in ${formatSeconds((performance.now() - t0) / 1000)}\n`);
      }
    },
  };
}
