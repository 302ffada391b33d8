import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EmptyInputError, InvalidArgumentError } from '@latentkit/core';
import { scatterPlotPng, scatterPlotSvg } from './scatter.js';

describe('scatterPlotPng', () => {
  it('renders a PNG of the requested size with one colour per label', async () => {
    const points = Array.from({ length: 300 }, (_, i) => ({ x: (i % 3) * 10 + Math.sin(i), y: (i % 3) * 5 + Math.cos(i), label: i % 3 }));
    const png = await scatterPlotPng(points, { width: 400, height: 300, title: 'latent space' });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([400, 300]);
    // tab10's first three colours (blue, orange, green) each cover some pixels.
    const near = (r: number, g: number, b: number): number => {
      let n = 0;
      for (let p = 0; p < data.length; p += info.channels) {
        if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 60) n++;
      }
      return n;
    };
    expect(near(0x1f, 0x77, 0xb4)).toBeGreaterThan(50);
    expect(near(0xff, 0x7f, 0x0e)).toBeGreaterThan(50);
    expect(near(0x2c, 0xa0, 0x2c)).toBeGreaterThan(50);
    expect(near(0xd6, 0x27, 0x28)).toBe(0); // no fourth label, no red
  });

  it('sorts numeric labels numerically in the legend, escapes text, skips non-finite points', () => {
    const svg = scatterPlotSvg(
      [
        { x: 0, y: 0, label: 10 },
        { x: 1, y: 1, label: 2 },
        { x: NaN, y: 1, label: 99 },
        { x: 2, y: 0, label: '<b>' },
      ],
      { title: 'a & b' },
    );
    expect(svg).toContain('a &#38; b');
    expect(svg).toContain('&#60;b&#62;');
    expect(svg.indexOf('>2</text>')).toBeLessThan(svg.indexOf('>10</text>'));
    expect(svg).not.toContain('>99</text>');
  });

  it('draws an evenly strided subset above maxPoints', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i }));
    const svg = scatterPlotSvg(points, { maxPoints: 100 });
    expect(svg.match(/<circle/g)?.length).toBe(100);
  });

  it('refuses input without finite points and bad options', async () => {
    await expect(scatterPlotPng([])).rejects.toThrow(EmptyInputError);
    await expect(scatterPlotPng([{ x: Infinity, y: 0 }])).rejects.toThrow(EmptyInputError);
    await expect(scatterPlotPng([{ x: 0, y: 0 }], { width: 10 })).rejects.toThrow(InvalidArgumentError);
  });
});
