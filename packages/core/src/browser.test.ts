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
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    // A Node built-in imported by core fails the build (platform browser); one that a file of
    // ours imports while a package's `browser` field disables it would show up here. tfjs's own
    // browser-field substitutions (its wasm glue's Node branch) are tfjs's design, not a shim.
    const ours = Object.entries(result.metafile.inputs).filter(([f]) => !f.includes('node_modules'));
    for (const [file, input] of ours) {
      for (const i of input.imports) expect(i.path, `${file} imports ${i.original ?? i.path}`).not.toMatch(/^\(disabled\)|^node:/);
    }
    expect(ours.length).toBeGreaterThan(10);
    expect(code).toContain('NUMPY');
  });

  it('exports the same objects as the Node entry under the same names', () => {
    for (const [name, value] of Object.entries(browser)) {
      // The one documented difference: a page's loadModel takes a URL, Node's a folder path.
      if (name === 'loadModel') continue;
      expect((node as Record<string, unknown>)[name], name).toBe(value);
    }
    expect(browser.loadModel).not.toBe(node.loadModel);
  });
});
