/**
 * @file A small MNIST-like data set generated on the fly, for demos and tests that must not
 * download anything: digits (and a few shapes) drawn white on black with random style.
 *
 * Each glyph is either a hand-drawn stroke path (always available) or a font character (when
 * fonts are installed), placed with a random affine transform. Many glyphs are rendered per
 * sharp call as cells of one SVG sprite sheet (each cell a clipping nested `<svg>`), then the
 * sheet is cut into images: one librsvg call per ~500 glyphs instead of one per glyph.
 */
import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { createRng, InvalidArgumentError } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import type { LabeledImages } from './idx.js';

/** Classes {@link syntheticGlyphs} can draw: the ten digits and five simple shapes. */
export type GlyphClass = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'plus' | 'cross' | 'circle' | 'square' | 'triangle';

/** Every class {@link syntheticGlyphs} can draw, digits first. */
export const GLYPH_CLASSES: readonly GlyphClass[] = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'plus', 'cross', 'circle', 'square', 'triangle',
];

/** How glyphs are drawn. */
export type GlyphStyle = 'mixed' | 'strokes' | 'fonts';

/** Options of {@link syntheticGlyphs}. */
export interface SyntheticGlyphsOptions {
  /** Number of images, at most 1,000,000. */
  count: number;
  /**
   * Image width and height in pixels.
   * @default 28
   */
  size?: number;
  /**
   * Seed of the random style, placement and labels. The same seed gives the same images on
   * the same machine; with `style: 'strokes'` on every machine (no dependence on fonts).
   * @default 0
   */
  seed?: number;
  /**
   * Classes to draw, in label order.
   * @default the digits '0'..'9'
   */
  classes?: readonly GlyphClass[];
  /**
   * `strokes`: hand-drawn paths only. `fonts`: digits from installed fonts (shapes are always
   * strokes). `mixed`: half and half, or strokes only when no usable font is installed.
   * @default 'mixed'
   */
  style?: GlyphStyle;
  /**
   * Font families for font glyphs.
   * @default the installed families (from `fc-list`) that render digits
   */
  fonts?: readonly string[];
}

/** What {@link syntheticGlyphs} returns. */
export interface SyntheticGlyphs extends LabeledImages {
  /** Font families that were drawn from (empty when only strokes were used). */
  fonts: string[];
}

// Hand-drawn glyphs in a 100x100 box (y down), centred on (50, 50), about 50 wide and 80
// tall like MNIST's 20x20 digit box inside 28x28. Several variants per class mimic how
// people write them (1 with or without flag and base, open or closed 4, 7 with a bar, ...).
const STROKES: Record<GlyphClass, readonly string[]> = {
  '0': ['M50,10 C72,10 76,32 76,50 C76,70 72,90 50,90 C28,90 24,70 24,50 C24,32 28,10 50,10 Z'],
  '1': ['M38,25 L55,10 L55,90', 'M52,10 L52,90', 'M38,25 L55,10 L55,90 M39,90 L71,90'],
  '2': ['M28,30 C28,4 74,4 73,30 C72,48 44,62 27,90 L76,90', 'M28,28 C30,8 70,6 72,28 C74,44 50,56 28,90 C44,84 60,86 76,90'],
  '3': [
    'M29,20 C40,4 72,8 70,28 C68,42 56,47 44,48 C60,48 75,56 74,70 C73,92 38,95 27,80',
    'M30,10 L70,10 L48,42 C66,40 76,54 75,68 C74,90 40,96 27,80',
  ],
  '4': ['M60,90 L60,10 L24,64 L78,64', 'M30,10 L27,56 L76,56 M62,28 L62,90'],
  '5': ['M70,10 L35,10 L31,46 C46,36 74,42 74,64 C74,92 38,94 27,80', 'M34,10 L31,46 C46,36 74,42 74,64 C74,92 38,94 27,80 M34,10 L72,10'],
  '6': ['M68,12 C44,10 26,36 26,62 C26,82 38,90 50,90 C64,90 74,80 74,66 C74,52 64,44 51,44 C38,44 28,52 27,62'],
  '7': ['M26,10 L74,10 L42,90', 'M26,10 L74,10 L42,90 M36,50 L64,50', 'M26,17 L28,10 L74,10 C60,36 50,60 46,90'],
  '8': ['M50,48 C30,45 30,10 50,10 C70,10 70,45 50,48 C26,51 25,90 50,90 C75,90 74,51 50,48 Z'],
  '9': [
    'M72,34 C72,50 62,56 50,56 C38,56 28,48 28,33 C28,18 38,10 50,10 C62,10 72,18 72,34 L70,90',
    'M72,34 C72,50 62,56 50,56 C38,56 28,48 28,33 C28,18 38,10 50,10 C62,10 72,18 72,34 C72,60 64,86 38,88',
  ],
  plus: ['M50,18 L50,82 M18,50 L82,50'],
  cross: ['M24,24 L76,76 M76,24 L24,76'],
  circle: ['M50,18 C68,18 82,32 82,50 C82,68 68,82 50,82 C32,82 18,68 18,50 C18,32 32,18 50,18 Z'],
  square: ['M22,22 L78,22 L78,78 L22,78 Z'],
  triangle: ['M50,16 L84,80 L16,80 Z'],
};

const DIGITS = new Set<GlyphClass>(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
const MAX_COUNT = 1_000_000;
const SHEET_COLS = 32;
const SHEET_CELLS = 512;

/** A random number in [lo, hi). */
function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/**
 * One stroke glyph: the path's points moved by a smooth random warp (shared points stay
 * joined, so curves do not kink) plus a little independent jitter, then a random affine
 * transform and stroke width.
 */
function strokeGlyph(cls: GlyphClass, rng: () => number): string {
  const variants = STROKES[cls];
  const d = variants[Math.floor(rng() * variants.length)];
  const ax = uniform(rng, -5, 5);
  const ay = uniform(rng, -5, 5);
  const fx = uniform(rng, 0.5, 1.5);
  const fy = uniform(rng, 0.5, 1.5);
  const px = uniform(rng, 0, 2 * Math.PI);
  const py = uniform(rng, 0, 2 * Math.PI);
  const nums = [...d.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  const moved: number[] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) {
    const x = nums[i];
    const y = nums[i + 1];
    moved.push(
      x + ax * Math.sin((fx * Math.PI * y) / 50 + px) + uniform(rng, -1.5, 1.5),
      y + ay * Math.sin((fy * Math.PI * x) / 50 + py) + uniform(rng, -1.5, 1.5),
    );
  }
  let k = 0;
  const warped = d.replace(/-?\d+(?:\.\d+)?/g, () => moved[k++].toFixed(1));
  const { transform, scale } = placement(rng, 0.66, 0.94);
  const width = uniform(rng, 7, 14) / scale; // 2-4 px at 28x28 whatever the glyph's scale
  return (
    `<g transform="${transform}"><path d="${warped}" fill="none" stroke="#fff" stroke-width="${width.toFixed(2)}" ` +
    'stroke-linecap="round" stroke-linejoin="round"/></g>'
  );
}

/** A digit from a font, with random family, weight, slant, size, placement and thickening. */
function fontGlyph(cls: GlyphClass, rng: () => number, fonts: readonly string[]): string {
  const family = fonts[Math.floor(rng() * fonts.length)];
  const bold = rng() < 0.5;
  const italic = rng() < 0.25;
  const { transform, scale } = placement(rng, 0.72, 0.98);
  const extra = uniform(rng, 0, 6) / scale;
  // Digits span about 0.73 em above the baseline: font-size 108 gives ~79 units, like strokes; baseline 89 centres them.
  return (
    `<g transform="${transform}"><text x="50" y="89" text-anchor="middle" font-family="${family.replace(/["<>&]/g, '')}" ` +
    `font-size="108" font-weight="${bold ? 'bold' : 'normal'}" font-style="${italic ? 'italic' : 'normal'}" fill="#fff" ` +
    `stroke="#fff" stroke-width="${extra.toFixed(2)}" stroke-linejoin="round">${cls}</text></g>`
  );
}

/** Random size, aspect, slant, rotation and shift about the cell centre. */
function placement(rng: () => number, lo: number, hi: number): { transform: string; scale: number } {
  const s = uniform(rng, lo, hi);
  const sx = s * uniform(rng, 0.8, 1.1);
  const sy = s;
  const rot = uniform(rng, -15, 15);
  const skew = uniform(rng, -15, 12);
  const dx = uniform(rng, -6, 6);
  const dy = uniform(rng, -5, 5);
  return {
    transform:
      `translate(${(50 + dx).toFixed(2)} ${(50 + dy).toFixed(2)}) rotate(${rot.toFixed(2)}) ` +
      `skewX(${skew.toFixed(2)}) scale(${sx.toFixed(3)} ${sy.toFixed(3)}) translate(-50 -50)`,
    scale: Math.sqrt(sx * sy),
  };
}

/** Renders glyph SVG fragments as cells of one sheet and cuts them into images. */
async function renderSheet(glyphs: readonly string[], size: number, images: Float32Array, offset: number): Promise<void> {
  const cols = Math.min(SHEET_COLS, glyphs.length);
  const rows = Math.ceil(glyphs.length / cols);
  const cells = glyphs
    .map((g, i) => `<svg x="${(i % cols) * size}" y="${Math.floor(i / cols) * size}" width="${size}" height="${size}" viewBox="0 0 100 100">${g}</svg>`)
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * size}" height="${rows * size}">` +
    `<rect width="100%" height="100%" fill="#000"/>${cells}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const sheetW = info.width;
  const per = size * size;
  for (let i = 0; i < glyphs.length; i++) {
    const x0 = (i % cols) * size;
    const y0 = Math.floor(i / cols) * size;
    const base = offset + i * per;
    for (let y = 0; y < size; y++) {
      const row = (y0 + y) * sheetW + x0;
      for (let x = 0; x < size; x++) images[base + y * size + x] = data[row + x] / 255;
    }
  }
}

let detected: Promise<string[]> | undefined;

/**
 * Font families that render digits here: the `fc-list` families (or the generic families
 * when fontconfig's tools are missing), each checked by rendering digits and looking for
 * ink, since a missing font silently renders nothing. Cached per process.
 * @internal
 */
export function usableFonts(): Promise<string[]> {
  detected ??= (async () => {
    const listed = await new Promise<string[]>((resolve) => {
      execFile('fc-list', [':', 'family'], { timeout: 5000, maxBuffer: 1 << 20 }, (err, stdout) => {
        if (err) return resolve(['sans-serif', 'serif', 'monospace']);
        const names = stdout.split('\n').flatMap((l) => l.split(',')).map((s) => s.trim());
        // Symbol, emoji and icon fonts have no (or odd) digits.
        resolve([...new Set(names)].filter((n) => n && !/emoji|symbol|dingbat|icon|awesome|wingding|math/i.test(n)).sort());
      });
    });
    const candidates = listed.slice(0, 32);
    if (candidates.length === 0) return [];
    const h = 40;
    const rows = candidates
      .map((f, i) => `<text x="4" y="${i * h + 32}" font-family="${f.replace(/["<>&]/g, '')}" font-size="30" fill="#fff">0123456789</text>`)
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="${candidates.length * h}"><rect width="100%" height="100%" fill="#000"/>${rows}</svg>`;
    try {
      const { data, info } = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      return candidates.filter((_, i) => {
        let ink = 0;
        for (let p = i * h * info.width; p < (i + 1) * h * info.width; p++) ink += data[p];
        return ink > 255 * 100; // ten digits at 30 px leave far more ink than this
      });
    } catch {
      return [];
    }
  })();
  return detected;
}

/**
 * Generates an MNIST-like labelled set without downloading anything: digits (and optional
 * shapes) as white strokes on black, each with random variant, font, size, aspect, slant,
 * rotation, shift, warp and stroke width. Labels are balanced (each class `count / k` times,
 * give or take one) in a seeded random order. Images view one shared `Float32Array`.
 *
 * @param options count, size, seed, classes, style and fonts.
 * @returns images (`size` x `size` x 1, values in [0, 1]), labels, class names and the fonts used.
 * @throws {InvalidArgumentError} for a bad count, size, class list, style or font list.
 * @example
 * ```ts
 * const { images, labels } = await syntheticGlyphs({ count: 2000, seed: 1 });
 * images[0].width; // 28
 * ```
 */
export async function syntheticGlyphs(options: SyntheticGlyphsOptions): Promise<SyntheticGlyphs> {
  const { count, size = 28, seed = 0, classes = GLYPH_CLASSES.slice(0, 10), style = 'mixed' } = options ?? ({} as SyntheticGlyphsOptions);
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new InvalidArgumentError(`syntheticGlyphs option count must be an integer in [1, ${MAX_COUNT}], got ${count}.`);
  }
  if (!Number.isInteger(size) || size < 8 || size > 256) {
    throw new InvalidArgumentError(`syntheticGlyphs option size must be an integer in [8, 256], got ${size}.`);
  }
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`syntheticGlyphs option seed must be a number, got ${seed}.`);
  if (classes.length === 0 || new Set(classes).size !== classes.length || classes.some((c) => !(c in STROKES))) {
    throw new InvalidArgumentError(
      `syntheticGlyphs option classes must be distinct names from ${GLYPH_CLASSES.join(', ')}; got [${classes.join(', ')}].`,
    );
  }
  if (style !== 'mixed' && style !== 'strokes' && style !== 'fonts') {
    throw new InvalidArgumentError(`syntheticGlyphs option style must be 'mixed', 'strokes' or 'fonts', got '${String(style)}'.`);
  }
  let fonts: string[] = [];
  if (style !== 'strokes' && classes.some((c) => DIGITS.has(c))) {
    fonts = options.fonts ? [...options.fonts] : await usableFonts();
    if (style === 'fonts' && fonts.length === 0) {
      throw new InvalidArgumentError("syntheticGlyphs style 'fonts' needs a usable font, and none was found; use style 'strokes'.");
    }
  }
  const fontShare = style === 'fonts' ? 1 : style === 'mixed' && fonts.length > 0 ? 0.5 : 0;

  const rng = createRng(seed);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes.length;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = labels[i];
    labels[i] = labels[j];
    labels[j] = t;
  }
  const glyphs: string[] = new Array(count);
  const usedFonts = new Set<string>();
  for (let i = 0; i < count; i++) {
    const cls = classes[labels[i]];
    // Draw the style coin for every sample so the stream stays aligned across classes.
    const useFont = rng() < fontShare && DIGITS.has(cls);
    if (useFont) {
      glyphs[i] = fontGlyph(cls, rng, fonts);
      const m = /font-family="([^"]*)"/.exec(glyphs[i]);
      if (m) usedFonts.add(m[1]);
    } else {
      glyphs[i] = strokeGlyph(cls, rng);
    }
  }

  const per = size * size;
  const all = new Float32Array(count * per);
  const cellsPerSheet = Math.max(1, Math.floor((SHEET_CELLS * 28 * 28) / per));
  for (let start = 0; start < count; start += cellsPerSheet) {
    await renderSheet(glyphs.slice(start, start + cellsPerSheet), size, all, start * per);
  }
  const images: FloatImage[] = new Array(count);
  for (let i = 0; i < count; i++) images[i] = { data: all.subarray(i * per, (i + 1) * per), width: size, height: size, channels: 1 };
  return { images, labels, classNames: [...classes], fonts: [...usedFonts].sort() };
}
