import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as node from './index.js';

describe('browser entry', () => {
  it('bundles for the browser with no Node built-in and no shim', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./browser.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](fs|path|zlib|url)/);
    expect(code).toContain('NUMPY');
  });

  it('exports the same objects as the Node entry under the same names', () => {
    for (const [name, value] of Object.entries(browser)) expect((node as Record<string, unknown>)[name], name).toBe(value);
  });
});
