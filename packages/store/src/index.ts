/**
 * @file @latentkit/store: latent codes with their row manifests in an embedded LanceDB
 * folder, searched by nearest neighbours within a modality or across modalities.
 */
export { LatentStore, INDEX_MIN_ROWS, DEFAULT_PROBE_SHARE, partitionsFor, defaultProbes } from './store.js';
export type { AddOptions, AddResult, SearchHit, SearchOptions, SpaceSummary, StoreQuery } from './store.js';
export { loadLatentMap } from './maps.js';
export type { LatentMap } from './maps.js';
export { modelFingerprint } from './fingerprint.js';
export { STORE_FILE } from './meta.js';
export type { SpaceInfo, StoreMetric, StoreFile } from './meta.js';
export { LOCK_FILE } from './lock.js';
export { StoreFormatError, StoreLockedError, StoreMismatchError, StoreNotFoundError } from './errors.js';
