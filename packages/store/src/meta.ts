/**
 * @file The store's description, `latentkit-store.json`: one space per modality with the
 * dimension, metric and model of its codes. LanceDB keeps the rows (one table per space,
 * versioned, each commit atomic); this file only says what the tables mean, and is replaced
 * atomically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@latentkit/core';
import { StoreFormatError } from './errors.js';

/** The description file's name inside the store folder. */
export const STORE_FILE = 'latentkit-store.json';

/** How codes are compared (LanceDB's distance types). */
export type StoreMetric = 'cosine' | 'l2' | 'dot';

/** One modality's codes. */
export interface SpaceInfo {
  /** The LanceDB table holding them. */
  table: string;
  /** Code length. */
  dim: number;
  metric: StoreMetric;
  /** Fingerprint of the model that made the codes (see `modelFingerprint`). */
  modelId: string;
  /** The model folder, when known: queries given as inputs are encoded with it. */
  modelDir?: string;
  /** The named part of the model's code the rows hold (`--part`), when not the whole code. */
  part?: string;
}

/** The JSON form of `latentkit-store.json`. */
export interface StoreFile {
  kind: 'latentkit/store';
  version: 1;
  spaces: Record<string, SpaceInfo>;
}

const METRICS: readonly StoreMetric[] = ['cosine', 'l2', 'dot'];

/**
 * Reads the description, or undefined when the folder has none.
 * @throws {StoreFormatError} when the file is damaged.
 */
export async function readStoreFile(dir: string): Promise<StoreFile | undefined> {
  const file = join(dir, STORE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const fail = (msg: string): never => {
    throw new StoreFormatError(`${file}: ${msg}`, { file });
  };
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    fail('not valid JSON.');
  }
  const o = j as Partial<StoreFile>;
  if (typeof o !== 'object' || o === null || o.kind !== 'latentkit/store') fail(`field 'kind' should be 'latentkit/store'.`);
  if (o.version !== 1) fail(`format version ${JSON.stringify(o.version)}; this latentkit reads version 1.`);
  if (typeof o.spaces !== 'object' || o.spaces === null) fail(`field 'spaces' should be an object.`);
  for (const [name, s] of Object.entries(o.spaces!)) {
    const ok =
      typeof s === 'object' && s !== null && typeof s.table === 'string' && /^[A-Za-z0-9_-]+$/.test(s.table) &&
      Number.isInteger(s.dim) && s.dim > 0 && METRICS.includes(s.metric) && typeof s.modelId === 'string' &&
      (s.modelDir === undefined || typeof s.modelDir === 'string') && (s.part === undefined || typeof s.part === 'string');
    if (!ok) fail(`space '${name}' should be {table, dim, metric, modelId, modelDir?, part?}.`);
  }
  return o as StoreFile;
}

/** Replaces the description atomically. */
export async function writeStoreFile(dir: string, store: StoreFile): Promise<void> {
  await writeFileAtomic(join(dir, STORE_FILE), JSON.stringify(store, null, 2) + '\n');
}
