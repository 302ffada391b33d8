/**
 * @file Search over a row manifest: `label:x` matches a label exactly; anything else matches
 * a label exactly or a source or sentence that contains it (case-insensitive).
 */
import type { RowManifest } from '@latentkit/core';

/**
 * Rows matching a query.
 * @param rows - the manifest.
 * @param query - the search text.
 * @returns matching rows in order (none for an empty query).
 */
export function findRows(rows: RowManifest, query: string): number[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const out: number[] = [];
  if (q.startsWith('label:')) {
    const want = q.slice(6).trim();
    for (let i = 0; i < rows.length; i++) if (rows.label[i].toLowerCase() === want) out.push(i);
    return out;
  }
  const text = rows.text;
  for (let i = 0; i < rows.length; i++) {
    if (rows.label[i].toLowerCase() === q || rows.source[i].toLowerCase().includes(q) || (text && text[i].toLowerCase().includes(q))) out.push(i);
  }
  return out;
}
