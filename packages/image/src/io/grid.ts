/**
 * @file Image grids for reports: one labelled row per group (originals, reconstructions,
 * noisy, denoised, samples), nearest-neighbour upscaled so 28x28 digits stay crisp.
 *
 * Pixels are placed in JS (integer upscaling is exact and cheap); sharp only draws the
 * labels (an SVG overlay) and encodes the PNG.
 */
import sharp from 'sharp';
import { EmptyInputError, escapeXml, InputTooLargeError, InvalidArgumentError, writeFileAtomic } from '@latentkit/core';
import { assertFloatImage } from './float-image.js';
import type { FloatImage } from './float-image.js';

/** One row of a grid. */
export interface GridRow {
  /** Drawn at the left of the row. */
  label?: string;
  /** Drawn left to right; grayscale and RGB may be mixed. */
  images: readonly FloatImage[];
}

/** Options of {@link makeGrid}. */
export interface GridOptions {
  /**
   * Integer upscaling factor (nearest neighbour).
   * @default the largest integer that keeps cells at most 112 px (4 for 28x28), at least 1
   */
  scale?: number;
  /**
   * Gap between cells and around the grid, in output pixels.
   * @default 2
   */
  padding?: number;
  /**
   * Colour of gaps and of the label column, `#rgb` or `#rrggbb`. Gray keeps black-background
   * digits apart.
   * @default '#404040'
   */
  background?: string;
  /**
   * Label text colour.
   * @default '#ffffff'
   */
  labelColor?: string;
  /**
   * Label font size in pixels.
   * @default 35% of the cell height, between 10 and 20
   */
  fontSize?: number;
  /**
   * Refuse to build a grid larger than this many pixels.
   * @default 50_000_000
   */
  maxPixels?: number;
}

const MAX_LABEL_CHARS = 40;

/** Parses `#rgb` / `#rrggbb`. @internal */
export function parseHexColor(value: string, option: string): [number, number, number] {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`${option} must be a colour like '#404040', got '${value}'.`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}


function positiveInt(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`makeGrid option ${name} must be an integer >= ${min}, got ${value}.`);
  }
  return value;
}

/**
 * Renders rows of images as one PNG: a label column at the left, then one cell per image,
 * each upscaled by an integer factor with nearest-neighbour sampling. Cells take the size of
 * the largest image; smaller images are centred. Rows may differ in length.
 *
 * @param rows the rows, top to bottom.
 * @param options scale, padding, colours, font size and size limit.
 * @returns the PNG bytes (8-bit RGB).
 * @throws {EmptyInputError} when there are no images at all.
 * @throws {InputTooLargeError} when the grid would exceed `maxPixels`.
 * @throws {InvalidArgumentError} for bad options or an inconsistent image.
 * @example
 * ```ts
 * const png = await makeGrid([
 *   { label: 'original', images: originals },
 *   { label: 'reconstruction', images: reconstructions },
 * ]);
 * ```
 */
export async function makeGrid(rows: readonly GridRow[], options: GridOptions = {}): Promise<Uint8Array> {
  let cellW = 0;
  let cellH = 0;
  let cols = 0;
  rows.forEach((row, r) => {
    row.images.forEach((im, i) => {
      assertFloatImage(im, `rows[${r}].images[${i}]`);
      cellW = Math.max(cellW, im.width);
      cellH = Math.max(cellH, im.height);
    });
    cols = Math.max(cols, row.images.length);
  });
  if (cols === 0) throw new EmptyInputError('makeGrid needs at least one image, got none.');

  const scale = positiveInt(options.scale ?? Math.max(1, Math.floor(112 / Math.max(cellW, cellH))), 'scale', 1);
  const pad = positiveInt(options.padding ?? 2, 'padding', 0);
  const bg = parseHexColor(options.background ?? '#404040', 'background');
  const labelColor = parseHexColor(options.labelColor ?? '#ffffff', 'labelColor');
  const maxPixels = positiveInt(options.maxPixels ?? 50_000_000, 'maxPixels', 1);
  const cw = cellW * scale;
  const ch = cellH * scale;
  const fontSize = options.fontSize ?? Math.min(20, Math.max(10, Math.round(ch * 0.35)));
  if (!(fontSize > 0)) throw new InvalidArgumentError(`makeGrid option fontSize must be positive, got ${fontSize}.`);

  const labels = rows.map((r) => {
    const l = (r.label ?? '').replace(/\s+/g, ' ').trim();
    return l.length > MAX_LABEL_CHARS ? `${l.slice(0, MAX_LABEL_CHARS - 1)}…` : l;
  });
  const longest = Math.max(...labels.map((l) => l.length));
  // 0.62 em is a generous average advance for sans-serif text, so labels are not clipped.
  const labelW = longest > 0 ? Math.ceil(longest * fontSize * 0.62) + 2 * pad : 0;
  const width = labelW + pad + cols * (cw + pad);
  const height = pad + rows.length * (ch + pad);
  if (width * height > maxPixels) {
    throw new InputTooLargeError(`makeGrid: a ${width}x${height} grid is more than maxPixels=${maxPixels}; lower scale or show fewer images.`);
  }

  const canvas = new Uint8Array(width * height * 3);
  for (let i = 0; i < canvas.length; i += 3) {
    canvas[i] = bg[0];
    canvas[i + 1] = bg[1];
    canvas[i + 2] = bg[2];
  }
  rows.forEach((row, r) => {
    row.images.forEach((im, c) => {
      const x0 = labelW + pad + c * (cw + pad) + ((cellW - im.width) >> 1) * scale;
      const y0 = pad + r * (ch + pad) + ((cellH - im.height) >> 1) * scale;
      blit(canvas, width, im, x0, y0, scale);
    });
  });

  let img = sharp(canvas, { raw: { width, height, channels: 3 } });
  if (labelW > 0) {
    const fill = `rgb(${labelColor.join(',')})`;
    const texts = labels
      .map((l, r) =>
        l
          ? `<text x="${pad}" y="${pad + r * (ch + pad) + ch / 2}" dominant-baseline="central" fill="${fill}">${escapeXml(l)}</text>`
          : '',
      )
      .join('');
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW}" height="${height}">` +
      `<g font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="${fontSize}">${texts}</g></svg>`;
    img = img.composite([{ input: Buffer.from(svg), left: 0, top: 0 }]);
  }
  return img.png({ compressionLevel: 6 }).toBuffer();
}

/** Copies `im` into the RGB canvas at (x0, y0), each pixel as a `scale` x `scale` block. */
function blit(canvas: Uint8Array, canvasW: number, im: FloatImage, x0: number, y0: number, scale: number): void {
  const { data, width, height, channels } = im;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      const r = q(data[p]);
      const g = channels === 3 ? q(data[p + 1]) : r;
      const b = channels === 3 ? q(data[p + 2]) : r;
      for (let dy = 0; dy < scale; dy++) {
        let o = ((y0 + y * scale + dy) * canvasW + x0 + x * scale) * 3;
        for (let dx = 0; dx < scale; dx++, o += 3) {
          canvas[o] = r;
          canvas[o + 1] = g;
          canvas[o + 2] = b;
        }
      }
    }
  }
}

function q(v: number): number {
  const b = Math.round(v * 255);
  return b > 0 ? (b < 255 ? b : 255) : 0;
}

/**
 * Renders a grid with {@link makeGrid} and writes it to `path` atomically.
 *
 * @param path the PNG file to write; its folder must exist.
 * @param rows the rows, top to bottom.
 * @param options as {@link makeGrid}.
 * @throws as {@link makeGrid}.
 * @example
 * ```ts
 * await writeGrid('report/denoising.png', [
 *   { label: 'noisy', images: noisy },
 *   { label: 'denoised', images: denoised },
 * ]);
 * ```
 */
export async function writeGrid(path: string, rows: readonly GridRow[], options: GridOptions = {}): Promise<void> {
  await writeFileAtomic(path, await makeGrid(rows, options));
}
