/**
 * @file Label colours: when the distinct labels fit the palette they take its colours in
 * natural order ('2' before '10', so digit 0 is always blue); past that, the most common 19
 * are coloured and the rest (and rows without a label) are grey.
 */
import type { LabelIndex } from '../label-index.js';

/** Tableau's 20-colour palette minus its greys (ordered so that neighbours contrast). */
export const PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5',
  '#393b79',
];
/** Colour of unlabelled rows and of labels past the palette. */
export const OTHER_COLOUR = '#9a9a9a';

/** Rows grouped by label, for colouring and the legend. */
export interface LabelColouring {
  /** Legend entries in colour order; the last may be "other labels" / "(no label)". */
  legend: { label: string; colour: string; count: number }[];
  /** Legend entry of each row (also the colour index the scatter uses). */
  category: Float32Array;
}

/**
 * Assigns each row a colour category by its label.
 * @param labels - the label table and each row's index into it (`''` = no label).
 * @returns legend and per-row categories.
 */
export function colourByLabel(labels: LabelIndex): LabelColouring {
  const { table, index } = labels;
  const perEntry = new Float64Array(table.length);
  for (let i = 0; i < index.length; i++) perEntry[index[i]]++;
  // A table may list a label twice only if built elsewhere; counts merge by text.
  const counts = new Map<string, number>();
  table.forEach((l, t) => {
    if (l !== '' && perEntry[t] > 0) counts.set(l, (counts.get(l) ?? 0) + perEntry[t]);
  });
  const natural = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
  const ranked = [...counts.entries()].sort((a, b) => (counts.size <= PALETTE.length ? 0 : b[1] - a[1]) || natural(a[0], b[0]));
  const shown = ranked.slice(0, PALETTE.length);
  const slot = new Map(shown.map(([l], i) => [l, i]));
  const legend = shown.map(([label, count], i) => ({ label, colour: PALETTE[i], count }));
  const other = index.length - shown.reduce((s, [, c]) => s + c, 0);
  const otherSlot = legend.length;
  if (other > 0) legend.push({ label: ranked.length > shown.length ? 'other labels' : '(no label)', colour: OTHER_COLOUR, count: other });
  const tableSlot = Float32Array.from(table, (l) => slot.get(l) ?? otherSlot);
  const category = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) category[i] = tableSlot[index[i]];
  return { legend, category };
}
