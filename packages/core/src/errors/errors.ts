/**
 * @file Every error latentkit throws on purpose. Callers branch on `instanceof` or on the
 * stable `code`, never on message text (the wording may improve between releases).
 */

/** Options shared by every latentkit error. */
export interface LatentkitErrorOptions {
  /** The file or folder the problem was found in, when there is one. */
  file?: string;
  /** A short suggestion for the person who has to fix it. */
  hint?: string;
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/**
 * Base class of all latentkit errors.
 *
 * @example
 * ```ts
 * try { await ConvImageAutoencoder.load('model/'); }
 * catch (e) { if (e instanceof LatentkitError) console.error(e.code, e.message); }
 * ```
 */
export class LatentkitError extends Error {
  /** Stable machine-readable code, e.g. `LK_CHECKSUM_MISMATCH`. */
  readonly code: string = 'LK_ERROR';
  /** The file or folder involved, if any. */
  readonly file?: string;
  /** What the user can do about it, if we know. */
  readonly hint?: string;

  constructor(message: string, options: LatentkitErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.file = options.file;
    this.hint = options.hint;
  }
}

/** A tensor or array had a shape other than the one required. */
export class ShapeMismatchError extends LatentkitError {
  override readonly code: string = 'LK_SHAPE_MISMATCH';
}

/** An argument or option is out of range or of the wrong type. */
export class InvalidArgumentError extends LatentkitError {
  override readonly code: string = 'LK_INVALID_ARGUMENT';
}

/** A requested backend (`LATENTKIT_BACKEND`) could not be loaded. */
export class BackendUnavailableError extends LatentkitError {
  override readonly code: string = 'LK_BACKEND_UNAVAILABLE';
}

/**
 * A model was built while {@link initEngine} was still choosing a backend (it was called but
 * not awaited): tfjs cannot allocate tensors until it settles.
 */
export class EngineNotReadyError extends BackendUnavailableError {
  override readonly code: string = 'LK_ENGINE_NOT_READY';
}

/** A model folder names a `kind` that no loaded package registered. */
export class UnknownModelKindError extends LatentkitError {
  override readonly code: string = 'LK_UNKNOWN_MODEL_KIND';
}

/** A model folder is malformed: bad JSON, wrong types, unsafe paths, missing files. */
export class ModelFormatError extends LatentkitError {
  override readonly code: string = 'LK_MODEL_FORMAT';
}

/** A file in a model folder does not match the sha256 recorded in `latentkit.json`. */
export class ChecksumMismatchError extends ModelFormatError {
  override readonly code: string = 'LK_CHECKSUM_MISMATCH';
}

/**
 * A model folder holds NaN or infinite weights: every code it gave would be NaN. The message
 * names the network and the weight; `ReadModelFolderOptions.allowNonFinite` loads it anyway
 * (to inspect a diverged run).
 */
export class NonFiniteWeightsError extends ModelFormatError {
  override readonly code: string = 'LK_NON_FINITE_WEIGHTS';
  constructor(
    message: string,
    /** The network (`encoder`, `decoder`, ...) holding the weight. */
    readonly network: string,
    /** The weight's name in the network's `model.json`. */
    readonly weight: string,
    options: LatentkitErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * A model folder kept changing while it was read (other processes saving into it faster than
 * one read completes); reading again later will succeed.
 */
export class ModelChangedError extends ModelFormatError {
  override readonly code: string = 'LK_MODEL_CHANGED';
}

/**
 * Saving a model folder failed for a reason of the file system (permissions, disk full, the
 * folder removed under the save). The previous model in the folder, if any, is untouched.
 */
export class ModelSaveError extends LatentkitError {
  override readonly code: string = 'LK_MODEL_SAVE';
}

/** A model folder holds a model of another modality or class than the caller asked for. */
export class ModelMismatchError extends ModelFormatError {
  override readonly code: string = 'LK_MODEL_MISMATCH';
}

/** A model folder was written by a format version this release cannot read. */
export class UnsupportedFormatVersionError extends ModelFormatError {
  override readonly code: string = 'LK_UNSUPPORTED_FORMAT_VERSION';
}

/** A path would lead outside the folder it must stay in (`../`, absolute, symlink out). */
export class PathEscapeError extends LatentkitError {
  override readonly code: string = 'LK_PATH_ESCAPE';
}

/** An input file (image, audio, dataset) cannot be decoded. */
export class DecodeError extends LatentkitError {
  override readonly code: string = 'LK_DECODE';
}

/** An input is valid but uses an encoding or feature latentkit does not support. */
export class UnsupportedFormatError extends DecodeError {
  override readonly code: string = 'LK_UNSUPPORTED_FORMAT';
}

/** An input exceeds a safety limit (pixels, samples, bytes, sequence length). */
export class InputTooLargeError extends LatentkitError {
  override readonly code: string = 'LK_INPUT_TOO_LARGE';
}

/**
 * An input exceeds a limit the caller set by name (`maxPixels`, `maxSeconds`, `maxChars`; see
 * `DecodeInputOptions.limits`). A server answers it with the limit's name and value, so a
 * client learns which knob refused it without parsing the message.
 */
export class InputLimitError extends InputTooLargeError {
  override readonly code: string = 'LK_INPUT_LIMIT';
  constructor(
    message: string,
    /** The limit's name, e.g. `maxPixels`. */
    readonly limit: string,
    /** The limit's value. */
    readonly max: number,
    /** What the input had (pixels, seconds, characters). */
    readonly actual: number,
    options: LatentkitErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** An input is empty where content is required (zero-length file, empty sentence). */
export class EmptyInputError extends LatentkitError {
  override readonly code: string = 'LK_EMPTY_INPUT';
}

/** Training produced a NaN or infinite loss. */
export class NonFiniteLossError extends LatentkitError {
  override readonly code: string = 'LK_NON_FINITE_LOSS';
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly value: number,
    options: LatentkitErrorOptions = {},
  ) {
    super(
      `Loss became ${value} at epoch ${epoch}, batch ${batch}; training stopped. ` +
        'Lower the learning rate or check the input data for NaN/Inf values.',
      options,
    );
  }
}

/** A pretrained model is neither in a local folder nor reachable on the hub. */
export class ModelNotFoundError extends LatentkitError {
  override readonly code: string = 'LK_MODEL_NOT_FOUND';
}

/** A dataset folder or file is missing or malformed. */
export class DatasetError extends LatentkitError {
  override readonly code: string = 'LK_DATASET';
}

/** The operation was aborted through an `AbortSignal`. */
export class AbortError extends LatentkitError {
  override readonly code: string = 'LK_ABORTED';
}
