/**
 * @file Showcases: a modality's part of `latentkit demo`. Each modality trains small models on
 * its embedded data (or real data), writes its pictures or sounds, and returns a report section
 * plus labelled codes; the demo host lays the sections out in one page and compares every
 * modality's codes with every other's (CKA, mutual kNN) without knowing what they are.
 */
import type { Matrix } from '../math/matrix.js';
import type { FitOptions } from '../training/types.js';
import type { OutputSink } from './operations.js';

/** A figure, an audio player, a table, a paragraph or a list in a report section. */
export type ShowcaseItem =
  | { type: 'image'; src: string; caption: string; alt?: string }
  | { type: 'audio'; src: string; caption: string }
  | { type: 'table'; caption?: string; header: string[]; rows: (string | number)[][]; className?: string }
  | { type: 'text'; text: string }
  | { type: 'list'; items: string[] }
  /** A link to a file or page inside the report folder, with a sentence after it. */
  | { type: 'link'; href: string; text: string; caption?: string };

/** One section of the report. */
export interface ShowcaseSection {
  /** HTML id, e.g. `images`. */
  id: string;
  title: string;
  items: ShowcaseItem[];
}

/** Codes of one model with a class per row, for scatter plots and cross-modal comparison. */
export interface LabelledCodes {
  /** Short name, e.g. `image (conv AE)`. */
  name: string;
  codes: Matrix;
  /** Class index of each row (negative: unlabelled). */
  labels: number[];
  classNames: string[];
  /** What the classes are (`digit`, `vowel sequence`); sets with the same concept are paired by class. */
  concept: string;
  /** Which inputs the rows are; sets with the same `items` are compared row by row. */
  items: string;
  /**
   * A saved model folder whose decoder takes these codes (from {@link ShowcaseContext.saveModel}):
   * the demo's explorer decodes a clicked row with it. Absent: the codes do not decode (pooled
   * or pretrained-encoder codes).
   */
  model?: string;
}

/** Fit options a showcase passes to `fit`, with the host's progress display attached. */
export type ShowcaseFit = <S>(label: string, fit: FitOptions<S>) => FitOptions<S>;

/** What the demo host gives each showcase. */
export interface ShowcaseContext {
  /** The report folder; write files under a folder named after the section. */
  out: OutputSink;
  /** Tiny budgets (a smoke test). */
  quick: boolean;
  /** A data folder in the `LATENTKIT_DATA` layout, or undefined for embedded data. */
  dataDir: string | undefined;
  seed: number;
  /** Rows per class the cross-modal comparison will pair. */
  perClass: number;
  /** Codes the showcases before this one returned (e.g. so text can phrase their classes). */
  earlier: readonly LabelledCodes[];
  /**
   * Runs one named, timed stage of the demo (listed at the end with its budget).
   * @param budgetSeconds planned seconds (training time limits plus fixed work).
   */
  stage<T>(name: string, budgetSeconds: number, fn: () => Promise<T>): Promise<T>;
  /** Adds the host's progress display to fit options: `model.fit(data, ctx.fit('image conv-ae', { epochs, timeLimitMs }))`. */
  fit: ShowcaseFit;
  /**
   * Draws codes in 2-D (PCA) coloured by label and writes the figure.
   * @param file name without extension, relative to the report folder (e.g. `audio/speaker-scatter`).
   * @returns the file written (relative, for a report item) and the share of variance the plot shows.
   */
  plotCodes(file: string, codes: Matrix, labels: readonly (string | number)[], title: string): Promise<{ src: string; explained: number }>;
  /**
   * Saves a model the showcase trained into the report folder (`models/<name>`), so that the
   * explorer the demo exports decodes the codes it made (set {@link LabelledCodes.model}).
   * @returns the folder's absolute path.
   */
  saveModel(name: string, model: { save(dir: string): Promise<void> }): Promise<string>;
  log(message: string): void;
}

/** What a showcase returns. */
export interface ShowcaseResult {
  section: ShowcaseSection;
  /** Codes to compare across modalities (may be empty). */
  codes: LabelledCodes[];
}

/** A modality's part of the demo. */
export interface ModalityShowcase {
  /** One line: what it trains and shows. */
  describe: string;
  run(ctx: ShowcaseContext): Promise<ShowcaseResult>;
}
