/**
 * @file The modalities' `--help` examples of a command (type-only imports: building the
 * parser must not load tfjs or a modality's libraries by itself).
 */
import type { Argv } from 'yargs';
import type { ModalityDescriptor } from '@latentkit/core';

/** Adds the modalities' `--help` examples of one command. */
export function withExamples(modalities: readonly ModalityDescriptor[], command: 'train' | 'encode' | 'decode' | 'reconstruct', y: Argv): Argv {
  for (const m of modalities) for (const [cmd, what] of m.examples?.[command] ?? []) y = y.example(cmd, what);
  return y;
}
