/**
 * @file Scatter plots of 2-D latent codes for reports, as PNG: core's SVG scatter plot
 * rasterised by sharp (librsvg), so no plotting library is needed.
 */
import sharp from 'sharp';
import { scatterPlotSvg, writeFileAtomic, type ScatterPlotOptions, type ScatterPoint } from '@latentkit/core';

// The SVG itself is core's (browser pages use it directly); re-exported for this package's users.
export { scatterPlotSvg };
export type { ScatterPlotOptions, ScatterPoint };

/**
 * Renders a scatter plot (e.g. 2-D latent codes coloured by class) as a PNG: coloured points,
 * axes with round ticks, a legend of the labels (numbers sorted numerically, then strings)
 * and an optional title. Non-finite points are skipped.
 *
 * @param points the points to draw.
 * @param options size, title, point style and point limit.
 * @returns the PNG bytes.
 * @throws {EmptyInputError} when no point has finite coordinates.
 * @throws {InvalidArgumentError} for bad options.
 * @example
 * ```ts
 * const png = await scatterPlotPng(codes.map((c, i) => ({ x: c.data[0], y: c.data[1], label: labels[i] })), {
 *   title: 'VAE latent space (MNIST test)',
 * });
 * ```
 */
export async function scatterPlotPng(points: readonly ScatterPoint[], options: ScatterPlotOptions = {}): Promise<Uint8Array> {
  const svg = scatterPlotSvg(points, options);
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png({ compressionLevel: 6 }).toBuffer();
}

/**
 * Renders a scatter plot with {@link scatterPlotPng} and writes it to `path` atomically.
 *
 * @param path the PNG file to write; its folder must exist.
 * @param points the points to draw.
 * @param options as {@link scatterPlotPng}.
 * @throws as {@link scatterPlotPng}.
 * @example
 * ```ts
 * await writeScatterPlot('report/latent.png', points, { title: 'latent space' });
 * ```
 */
export async function writeScatterPlot(
  path: string,
  points: readonly ScatterPoint[],
  options: ScatterPlotOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await scatterPlotPng(points, options));
}
