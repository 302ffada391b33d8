/**
 * @file The Node host of models (see host.ts): folders on disk, atomic saves, core's training
 * loop with compiled onnxruntime steps. Importing this module installs it (src/index.ts and the
 * Node `loadModel` do); it is never part of a browser bundle.
 * @internal
 */
import { join } from 'node:path';
import { readModelFolder } from '../io/model-folder.js';
import { saveModelFolder } from '../io/model-folder-save.js';
import { releaseCompiledSteps } from '../ort/step-cache.js';
import { train } from '../training/trainer.js';
import { installModelHost, type ModelHost } from './host.js';

export const nodeHost: ModelHost = {
  name: 'node',
  readFolder: readModelFolder,
  saveFolder: async (dir, contents) => {
    await saveModelFolder(dir, contents);
  },
  train: (problem, data, options) => train(problem, data, options),
  releaseCompiledSteps,
  where: join,
};

installModelHost(nodeHost);
