/**
 * @file The explorer as static files: the built page, `sets.json`, each set's codes and row
 * manifest, and the model folders that decode them, in one folder any static file server can
 * serve (`latentkit demo` writes one beside its report). Browsers do not run module scripts,
 * workers or fetch() from file:// pages, so the folder is served, not double-clicked: the
 * page's index.html says so when it is opened from a file.
 */
import { cp, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, MANIFEST_FILE, readManifest, writeFileAtomic } from '@latentkit/core';
import type { CodeSetFiles } from './code-sets.js';
import { explorerPageDir, setsListing } from './server.js';

/** One code set of an export, with the model folder that decodes its codes, if any. */
export interface ExportedSet extends CodeSetFiles {
  /** A saved model folder (latentkit.json and its weights) whose decoder takes these codes. */
  model?: string;
}

/** What {@link exportExplorer} wrote. */
export interface ExplorerExport {
  /** The folder. */
  dir: string;
  /** Its page (`<dir>/index.html`). */
  index: string;
  /** Model folders copied (each once, however many sets use it). */
  models: number;
}

/** Copies a model folder's `latentkit.json` and the files it lists (nothing else) into `to`. */
async function copyModel(from: string, to: string): Promise<void> {
  const manifest = await readManifest(from);
  for (const rel of [MANIFEST_FILE, ...Object.keys(manifest.files)]) {
    await mkdir(dirname(join(to, rel)), { recursive: true });
    await copyFile(join(from, rel), join(to, rel));
  }
}

/**
 * Writes the explorer with these code sets into `dir` (replaced whole: built beside it, then
 * renamed into place, so an interrupted export never leaves half a folder under that name).
 * @param dir - the target folder.
 * @param sets - the code sets, in the order the page lists them.
 * @returns the folder, its index.html and how many models it holds.
 * @throws {InvalidArgumentError} for no sets.
 * @throws {ModelNotFoundError} when the page is not built or a model folder has no latentkit.json.
 * @example
 * ```ts
 * await exportExplorer('out/explorer', [{ ...(await readCodeSet({ codes: 'out/mnist.npy' })), model: 'models/mnist' }]);
 * ```
 */
export async function exportExplorer(dir: string, sets: readonly ExportedSet[]): Promise<ExplorerExport> {
  if (sets.length === 0) throw new InvalidArgumentError('exportExplorer needs at least one code set.');
  const page = explorerPageDir();
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    // Source maps stay out: they are the package's, not the reader's, and double its size.
    await cp(page, tmp, { recursive: true, filter: (src) => !src.endsWith('.map') });
    const modelUrls = new Map<string, string>();
    for (const s of sets) {
      if (s.model === undefined || modelUrls.has(s.model)) continue;
      const url = `models/${modelUrls.size}/`;
      await copyModel(s.model, join(tmp, url));
      modelUrls.set(s.model, url);
    }
    const listing = setsListing(sets);
    const entries = listing.sets.map((e, i) => ({ ...e, model: sets[i].model === undefined ? null : modelUrls.get(sets[i].model!)! }));
    for (const [i, s] of sets.entries()) {
      await writeFileAtomic(join(tmp, 'data', String(i), 'codes.npy'), s.codes);
      if (s.rows !== null) await writeFileAtomic(join(tmp, 'data', String(i), 'rows.csv'), s.rows);
    }
    await writeFileAtomic(join(tmp, 'sets.json'), JSON.stringify({ sets: entries, model: null }, null, 1));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, index: join(dir, 'index.html'), models: new Set(sets.map((s) => s.model).filter((m) => m !== undefined)).size };
}
