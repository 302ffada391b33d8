/**
 * @file Errors of the latent store. Each extends core's LatentkitError, so the CLI prints them
 * as one line with their hint, and callers branch on `instanceof` or `code`.
 */
import { LatentkitError } from '@latentkit/core';

/** The folder holds no store (search, or anything else that needs one, was asked of it). */
export class StoreNotFoundError extends LatentkitError {
  override readonly code: string = 'LK_STORE_NOT_FOUND';
}

/** The store's description file is damaged or from another format version. */
export class StoreFormatError extends LatentkitError {
  override readonly code: string = 'LK_STORE_FORMAT';
}

/** Another live process is writing to the store. */
export class StoreLockedError extends LatentkitError {
  override readonly code: string = 'LK_STORE_LOCKED';
}

/**
 * Codes that do not belong with what the store holds: another model or dimension than the
 * store records for that modality, or a query of the wrong length.
 */
export class StoreMismatchError extends LatentkitError {
  override readonly code: string = 'LK_STORE_MISMATCH';
}
