import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tinySentenceEncoderPath } from './tiny-sentence-encoder.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = path.join(PACKAGE_ROOT, 'scripts', 'make-tiny-model.mjs');
const tmp = mkdtempSync(path.join(tmpdir(), 'lk-tiny-model-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Relative path -> sha256 of every file under `dir`. Text files are hashed with `\n` line ends so
 * a checkout that converts to CRLF still compares equal; the ONNX files are hashed as they are.
 */
function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        const content = p.endsWith('.onnx') ? bytes : bytes.toString('utf8').replace(/\r\n/g, '\n');
        out[path.relative(dir, p).split(path.sep).join('/')] = createHash('sha256').update(content).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

describe('tinySentenceEncoderPath', () => {
  it('points at the committed Transformers.js model folder', () => {
    const dir = tinySentenceEncoderPath();
    expect(dir).toBe(path.join(PACKAGE_ROOT, 'models', 'tiny-sentence-encoder'));
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
  });

  it('resolves to the same folder from the dist/ layout', () => {
    // dist mirrors src, so the module sits two levels below the package root in both.
    const fromDist = new URL('../../models/tiny-sentence-encoder', pathToFileURL(path.join(PACKAGE_ROOT, 'dist', 'pretrained', 'tiny-sentence-encoder.js')));
    expect(fileURLToPath(fromDist)).toBe(tinySentenceEncoderPath());
  });

  it('ships with the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('models');
  });

  it('stays small', () => {
    const total = Object.keys(digests(tinySentenceEncoderPath())).reduce(
      (s, f) => s + statSync(path.join(tinySentenceEncoderPath(), f)).size,
      0,
    );
    expect(total).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('make-tiny-model.mjs', () => {
  it('regenerates the committed fixture byte for byte', () => {
    const out = path.join(tmp, 'tiny');
    execFileSync(process.execPath, [SCRIPT, out], { stdio: 'pipe' });
    const fresh = digests(out);
    const committed = digests(tinySentenceEncoderPath());
    expect(fresh['onnx/model.onnx']).toBe(committed['onnx/model.onnx']);
    expect(fresh).toEqual(committed);
  });
});
