/**
 * @file The dataset manifests' CSV reader now lives in core (row manifests and the latent
 * explorer share it); this module keeps the audio datasets' import path.
 */
export { parseCsv } from '@latentkit/core';
export type { CsvTable } from '@latentkit/core';
