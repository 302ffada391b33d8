/**
 * @file Dataset layouts: how a modality recognises training data on disk (MNIST's IDX files, a
 * folder per class, FSDD's file names, a text file of sentences) and which labels each layout
 * carries. `latentkit train --data <dir>` asks every layout of the chosen modality whether it
 * recognises the folder; a recipe then reads the labels by name.
 */
import type { Json } from '../model/types.js';
import type { Settings } from './settings.js';

/**
 * One kind of label, for every sample of a dataset: class `values[i]` of sample `i` names
 * `names[values[i]]`; a negative value means the sample has no such label.
 */
export interface Labels {
  values: readonly number[];
  names: readonly string[];
}

/** Training data as a modality's dataset layout loaded it. */
export interface LoadedDataset<S> {
  samples: S[];
  /**
   * Labels the layout carries, by kind: an image folder gives `class`; FSDD gives `speaker`
   * and `content` (the digit said). Empty when the layout has none.
   */
  labels: Readonly<Record<string, Labels>>;
  /** Human-readable source, e.g. `MNIST train (60000)`. */
  source: string;
  /** Name of the {@link DatasetLayout} (or embedded set) that read it. */
  layout: string;
  /** Facts a recipe needs to build a model for this data, e.g. `{ sampleRate: 16000 }`. */
  facts?: Readonly<Record<string, Json>>;
}

/** Options of {@link DatasetLayout.load}. */
export interface DatasetLoadOptions {
  /** At most this many samples (or, for embedded synthetic data, this many to make). */
  limit?: number;
  /** Seed of any sampling or synthesis. @default 0 */
  seed?: number;
  /** Which split, for layouts that have them. @default 'train' */
  split?: 'train' | 'test' | 'all';
  /** Recipe settings the layout may honour (e.g. the size images are read at). */
  settings?: Settings;
}

/**
 * A way training data can be laid out on disk. Node-only (it reads files).
 * @example
 * ```ts
 * for (const layout of imageModality.datasets) if (await layout.detect(dir)) return layout.load(dir, { limit: 1000 });
 * ```
 */
export interface DatasetLayout<S> {
  /** Short name, e.g. `mnist`, `image-folder`, `fsdd`. */
  name: string;
  /** One line for `--help`: what the layout looks like. */
  describe: string;
  /** Label kinds it carries, e.g. `['class']` or `['speaker', 'content']`. */
  labels: readonly string[];
  /**
   * Whether `path` is laid out this way (cheap: looks at names, not contents). Layouts are
   * asked in order and the first that says yes reads the data, so specific layouts come first.
   */
  detect(path: string): Promise<boolean>;
  /**
   * Reads the data.
   * @throws {DatasetError} when the data is missing or unusable.
   */
  load(path: string, options?: DatasetLoadOptions): Promise<LoadedDataset<S>>;
  /**
   * The labels of input files under `path` (a folder {@link detect} recognised), from names
   * alone (no sample is decoded): `labels[kind][i]` is the `kind` label of `files[i]`, `''`
   * where the layout gives none. `latentkit encode` writes them to its row manifest.
   * Absent: the layout gives encode no labels.
   * @param path the folder given as input.
   * @param files files under it, in encode's order.
   */
  fileLabels?(path: string, files: readonly string[]): Promise<Readonly<Record<string, readonly string[]>>>;
}

/** Data a modality makes itself, used when no `--data` is given (the demo, a first `train`). */
export interface EmbeddedData<S> {
  describe: string;
  load(options?: DatasetLoadOptions): Promise<LoadedDataset<S>>;
}
