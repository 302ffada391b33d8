/**
 * @file Scatter plots of 2-D latent codes as SVG text, with no dependency: what a report or a
 * page shows to explore codes (PCA or UMAP projections coloured by class).
 */
import { EmptyInputError, InvalidArgumentError } from '../errors/errors.js';

/** Escapes text for SVG (XML) character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One point of a scatter plot. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Class of the point; points with the same label share a colour and a legend entry. */
  label?: number | string;
}

/** Options of {@link scatterPlotSvg} (and of image's scatterPlotPng, which rasterises it). */
export interface ScatterPlotOptions {
  /**
   * Image width in pixels.
   * @default 640
   */
  width?: number;
  /**
   * Image height in pixels.
   * @default 480
   */
  height?: number;
  /** Title drawn above the plot. */
  title?: string;
  /**
   * Point radius in pixels.
   * @default 2.5
   */
  pointRadius?: number;
  /**
   * Point opacity, so dense clusters show their density.
   * @default 0.7
   */
  opacity?: number;
  /**
   * At most this many points are drawn; above it an evenly strided subset is drawn (SVG
   * rendering time grows with the point count).
   * @default 20_000
   */
  maxPoints?: number;
}

/** tab10 (matplotlib's default), then tab20's lighter shades; more labels cycle hues. */
const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

function colorOf(i: number): string {
  if (i < PALETTE.length) return PALETTE[i];
  return `hsl(${Math.round((i * 137.508) % 360)},65%,45%)`; // golden-angle hues stay apart
}

/** Round tick values covering [lo, hi], about `count` of them. */
function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

function compareLabels(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds a scatter plot (e.g. 2-D latent codes coloured by class) as SVG: coloured points,
 * axes with round ticks, a legend of the labels (numbers sorted numerically, then strings)
 * and an optional title. Browsers show it as it is; @latentkit/image rasterises it to PNG.
 *
 * @param points the points; non-finite ones are skipped.
 * @param options size, title, point style and point limit.
 * @returns SVG markup.
 * @throws {EmptyInputError} when no point has finite coordinates.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const svg = scatterPlotSvg([{ x: 0, y: 1, label: 3 }], { title: 'latent space' });
 * ```
 */
export function scatterPlotSvg(points: readonly ScatterPoint[], options: ScatterPlotOptions = {}): string {
  const { width = 640, height = 480, title, pointRadius = 2.5, opacity = 0.7, maxPoints = 20_000 } = options;
  for (const [name, v, min, max] of [['width', width, 64, 16_384], ['height', height, 64, 16_384], ['maxPoints', maxPoints, 1, 1_000_000]] as const) {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(`Scatter plot option ${name} must be an integer in [${min}, ${max}], got ${v}.`);
    }
  }
  if (!(pointRadius > 0) || !(opacity > 0 && opacity <= 1)) {
    throw new InvalidArgumentError(`scatterPlot needs pointRadius > 0 and opacity in (0, 1], got ${pointRadius} and ${opacity}.`);
  }
  const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (finite.length === 0) {
    throw new EmptyInputError(`scatterPlot needs at least one point with finite x and y, got ${points.length} points and none finite.`);
  }
  const stride = Math.ceil(finite.length / maxPoints);
  const shown = stride > 1 ? finite.filter((_, i) => i % stride === 0) : finite;

  const labels = [...new Set(finite.map((p) => p.label).filter((l): l is number | string => l !== undefined))].sort(compareLabels);
  const index = new Map(labels.map((l, i) => [l, i]));
  const hasUnlabelled = finite.some((p) => p.label === undefined);

  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of finite) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  // Pad the range by 5% (or by 1 when all points coincide on an axis) so no point sits on a border.
  const padX = x1 > x0 ? (x1 - x0) * 0.05 : 1;
  const padY = y1 > y0 ? (y1 - y0) * 0.05 : 1;
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];

  const legendEntries = hasUnlabelled ? [...labels, '(none)'] : labels;
  const legendW = labels.length > 0 ? Math.min(160, 30 + 7 * Math.max(...legendEntries.map((l) => String(l).length))) : 0;
  const top = title ? 34 : 14;
  const left = 56;
  const bottom = 34;
  const plotW = Math.max(10, width - left - 14 - legendW);
  const plotH = Math.max(10, height - top - bottom);
  const sx = (x: number): number => left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => top + plotH - ((y - y0) / (y1 - y0)) * plotH;

  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) {
    parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333" stroke-width="1"/>`);
  for (const t of niceTicks(x0, x1, 6)) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top + plotH}" x2="${x}" y2="${top + plotH + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${top + plotH + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1, 5)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/>`);
    parts.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="central" font-size="11">${fmt(t)}</text>`);
  }
  // One <g> per colour keeps the SVG small: each circle carries only its position.
  const groups = new Map<number, string[]>();
  for (const p of shown) {
    const k = p.label === undefined ? -1 : (index.get(p.label) as number);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${pointRadius}"/>`);
  }
  for (const [k, circles] of groups) {
    parts.push(`<g fill="${k < 0 ? '#555555' : colorOf(k)}" fill-opacity="${opacity}">${circles.join('')}</g>`);
  }
  if (labels.length > 0) {
    const lx = left + plotW + 14;
    const entries = legendEntries;
    const rowH = Math.max(8, Math.min(18, Math.floor(plotH / entries.length)));
    entries.forEach((l, i) => {
      const y = top + 6 + i * rowH;
      const color = i < labels.length ? colorOf(i) : '#555555';
      parts.push(`<circle cx="${lx + 5}" cy="${y}" r="${Math.min(5, rowH / 2 - 1)}" fill="${color}"/>`);
      parts.push(`<text x="${lx + 14}" y="${y}" dominant-baseline="central" font-size="${Math.min(12, rowH - 2)}">${escapeXml(String(l))}</text>`);
    });
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" fill="#222">${parts.join('')}</svg>`
  );
}
