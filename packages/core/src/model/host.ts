/**
 * @file What a model needs from the platform it runs on: reading and saving its folder,
 * training, and releasing compiled training steps. Node's entry (src/index.ts) installs the
 * file-system host (node-host.ts); until then — in a page or Web Worker, which load the browser
 * entry — models read their folder over HTTP and cannot save or train. Keeping these behind one
 * object is what lets TfAutoencoder, and every model class built on it, bundle for the browser
 * without node:fs, node:path or onnxruntime-node.
 */
import { BackendUnavailableError } from '../errors/errors.js';
import { joinPosix } from '../io/folder-check.js';
import type { LoadedModelFolder, ModelFolderContents, ReadModelFolderOptions } from '../io/model-manifest.js';
import { readModelFolderUrl } from '../io/url-folder.js';
import type { Dataset } from '../training/dataset.js';
import type { TrainingProblem } from '../training/problem.js';
import type { FitOptions, History } from '../training/types.js';

/** The platform operations of a model (see the file comment). */
export interface ModelHost {
  /** Where the host is (`node` or `browser`), for messages. */
  readonly name: string;
  /** Reads and verifies a model folder: a path in Node, a URL in a page. */
  readFolder(dir: string, options: ReadModelFolderOptions): Promise<LoadedModelFolder>;
  /** Writes a model folder atomically. */
  saveFolder(dir: string, contents: ModelFolderContents): Promise<void>;
  /** Core's training loop. */
  train<I>(problem: TrainingProblem<I>, data: Dataset<I>, options: FitOptions<I>): Promise<History>;
  /** Frees the compiled training steps a model owns (onnxruntime sessions). */
  releaseCompiledSteps(owner: object): void;
  /** A file inside a model folder, for messages. */
  where(dir: string, file: string): string;
}

function needsNode(what: string): never {
  throw new BackendUnavailableError(`${what} needs Node (a file system and core's training loop); in a page, models load from a URL and encode and decode.`, {
    hint: 'Train and save with @latentkit/core in Node (or `latentkit train`), serve the folder, and load it in the page with loadModel(url).',
  });
}

/** The page's host: folders over HTTP (checksums by WebCrypto); saving and training refused. */
export const browserHost: ModelHost = {
  name: 'browser',
  readFolder: (url, options) => readModelFolderUrl(url, options),
  saveFolder: async () => needsNode('Saving a model folder'),
  train: async () => needsNode('Training'),
  releaseCompiledSteps: () => undefined,
  where: joinPosix,
};

let host: ModelHost = browserHost;

/** The host models use now. @internal */
export function modelHost(): ModelHost {
  return host;
}

/** Installs the host (Node's entry does, once, on import). @internal */
export function installModelHost(next: ModelHost): void {
  host = next;
}
