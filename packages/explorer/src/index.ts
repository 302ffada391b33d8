/**
 * @file Public API of @latentkit/explorer (Node side): read code sets and serve the latent
 * explorer page on 127.0.0.1, or export it as static files. The page itself is built into dist/page.
 */
export { readCodeSet } from './server/code-sets.js';
export type { CodeSetSource, CodeSetFiles } from './server/code-sets.js';
export { startExplorerServer, explorerPageDir, setsListing } from './server/server.js';
export type { ExplorerServerOptions, ExplorerServer } from './server/server.js';
export { exportExplorer } from './server/export.js';
export type { ExportedSet, ExplorerExport } from './server/export.js';
