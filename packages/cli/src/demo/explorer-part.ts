/**
 * @file The demo's latent explorer: every code set the showcases returned, written as a static
 * copy of the explorer page in `<out>/explorer/` (each set's rows labelled by class, and the
 * model folder that decodes it, when the showcase saved one), and the report's link to it.
 */
import { join } from 'node:path';
import { encodeNpy, formatRowsCsv, type LabelledCodes } from '@latentkit/core';
import { exportExplorer, type ExportedSet } from '@latentkit/explorer';
import type { OutputDir } from '../lib/output.js';
import type { ReportSection } from './report.js';

/** One explorer set per code set: `<name>: <items>` (a showcase may return two sets of one model). */
export function explorerSets(codes: readonly LabelledCodes[]): ExportedSet[] {
  return codes.map((c) => {
    const n = c.codes.rows;
    const d = c.codes.cols;
    const rows = formatRowsCsv(Array.from({ length: n }, (_, i) => ({ source: `${c.items} #${i + 1}`, label: c.labels[i] >= 0 ? (c.classNames[c.labels[i]] ?? String(c.labels[i])) : '' })));
    const set: ExportedSet = { name: `${c.name}: ${c.items}`, n, d, codes: encodeNpy({ data: Float32Array.from(c.codes.data), shape: [n, d] }), rows };
    return c.model === undefined ? set : { ...set, model: c.model };
  });
}

/**
 * Exports the explorer into `<out>/explorer/` and returns the report's section that links it.
 * @param out the report folder.
 * @param codes the showcases' code sets.
 */
export async function exportDemoExplorer(out: OutputDir, codes: readonly LabelledCodes[]): Promise<ReportSection> {
  const sets = explorerSets(codes);
  const done = await exportExplorer(join(out.path, 'explorer'), sets);
  const decoding = sets.filter((s) => s.model !== undefined).map((s) => s.name);
  return {
    id: 'explorer',
    title: 'Latent explorer',
    items: [
      {
        type: 'link',
        href: 'explorer/index.html',
        text: 'Open the latent explorer',
        caption:
          `(${sets.length} code sets, ${done.models} models). Browsers run it from a server, not from a file: ` +
          `python3 -m http.server -d ${join(out.display, 'explorer')} 8000, then open 127.0.0.1:8000.`,
      },
      {
        type: 'text',
        text:
          'Each code set scattered in 2-D by PCA (or UMAP), coloured by label; a click lists the nearest codes in the set and in every set of the same width' +
          (decoding.length ? `, and decodes the clicked code in the page with the model that made it (${decoding.join('; ')}).` : '.'),
      },
    ],
  };
}
