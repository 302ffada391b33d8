import { describe, expect, it } from 'vitest';
import { EmptyInputError, ShapeMismatchError } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { mse, perImage, psnr, ssim } from './image-metrics.js';

function constant(v: number, w = 16, h = 16, channels: 1 | 3 = 1): FloatImage {
  return { data: new Float32Array(w * h * channels).fill(v), width: w, height: h, channels };
}

function pattern(w: number, h: number, seed: number, channels: 1 | 3 = 1): FloatImage {
  const data = new Float32Array(w * h * channels);
  for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.5 * Math.sin(i * 0.37 + seed) * Math.cos(i * 0.11 * seed);
  return { data, width: w, height: h, channels };
}

describe('mse and psnr', () => {
  it('known values on constant images', () => {
    expect(mse(constant(0), constant(0.1))).toBeCloseTo(0.01, 7);
    expect(psnr(constant(0), constant(0.1))).toBeCloseTo(20, 5);
    expect(psnr(constant(0), constant(1))).toBeCloseTo(0, 6);
    expect(psnr(constant(0.2), constant(0.3))).toBeCloseTo(20, 5);
  });

  it('identical images: mse 0, psnr Infinity', () => {
    const a = pattern(10, 7, 1);
    expect(mse(a, a)).toBe(0);
    expect(psnr(a, a)).toBe(Infinity);
  });

  it('over lists: mean of the per-image values', () => {
    const as = [constant(0), constant(0)];
    const bs = [constant(0.1), constant(0.01)];
    expect(perImage(psnr, as, bs).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([20, 40]);
    expect(psnr(as, bs)).toBeCloseTo(30, 4);
    expect(mse(as, bs)).toBeCloseTo((0.01 + 0.0001) / 2, 8);
  });

  it('refuses mismatched sizes, lengths and empty lists', () => {
    expect(() => mse(constant(0, 4, 4), constant(0, 4, 5))).toThrow(ShapeMismatchError);
    expect(() => psnr([constant(0)], [])).toThrow(ShapeMismatchError);
    expect(() => ssim([], [])).toThrow(EmptyInputError);
  });
});

describe('ssim', () => {
  it('is 1 for identical images (gray and colour)', () => {
    const a = pattern(20, 18, 2);
    expect(ssim(a, a)).toBeCloseTo(1, 12);
    const c = pattern(16, 16, 3, 3);
    expect(ssim(c, c)).toBeCloseTo(1, 12);
  });

  it('constant images: the luminance term only', () => {
    // No variance: ssim = (2 mx my + C1) / (mx² + my² + C1), C1 = 0.0001.
    const expected = (2 * 0.5 * 0.7 + 1e-4) / (0.25 + 0.49 + 1e-4);
    expect(ssim(constant(0.5), constant(0.7))).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(0.94595, 4);
  });

  it('an inverted image scores below zero; noise lowers it; it is symmetric', () => {
    const a = pattern(24, 24, 5);
    const inv: FloatImage = { ...a, data: a.data.map((v) => 1 - v) };
    expect(ssim(a, inv)).toBeLessThan(0);
    const noisy: FloatImage = { ...a, data: a.data.map((v, i) => Math.min(1, Math.max(0, v + 0.2 * Math.sin(i * 12.9898)))) };
    const s = ssim(a, noisy);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(0.95);
    expect(ssim(noisy, a)).toBeCloseTo(s, 12);
  });

  it('matches a direct evaluation of the formula with one window position (11x11 image)', () => {
    const a = pattern(11, 11, 7);
    const b = pattern(11, 11, 8);
    const g: number[] = [];
    for (let i = 0; i < 11; i++) g.push(Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
    const gs = g.reduce((x, y) => x + y, 0);
    let mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (let y = 0; y < 11; y++) {
      for (let x = 0; x < 11; x++) {
        const w = (g[y] * g[x]) / (gs * gs);
        const u = a.data[y * 11 + x];
        const v = b.data[y * 11 + x];
        mx += w * u; my += w * v; sxx += w * u * u; syy += w * v * v; sxy += w * u * v;
      }
    }
    const vx = sxx - mx * mx, vy = syy - my * my, cov = sxy - mx * my;
    const expected = ((2 * mx * my + 1e-4) * (2 * cov + 9e-4)) / ((mx * mx + my * my + 1e-4) * (vx + vy + 9e-4));
    expect(ssim(a, b)).toBeCloseTo(expected, 10);
  });

  it('works on images smaller than the window', () => {
    const a = pattern(6, 5, 1);
    expect(ssim(a, a)).toBeCloseTo(1, 12);
  });
});
