/**
 * @file The one place the CLI names modality packages: the three it ships with. Everything
 * else (commands, data loading, demo) works from their descriptors. A user adds a modality
 * without touching the CLI: `--modality-package <name or path>` (repeatable) or
 * `LATENTKIT_MODALITY_PACKAGES=a,b` names packages whose entry exports `modality`.
 */
import { importModality, modalityPackagesFromEnv, registerModality, type ModalityDescriptor } from '@latentkit/core';

/** The modality packages the CLI depends on, imported from here so npm resolves them beside it. */
const BUILT_IN: readonly (() => Promise<{ modality: ModalityDescriptor }>)[] = [
  () => import('@latentkit/image'),
  () => import('@latentkit/audio'),
  () => import('@latentkit/text'),
];

/**
 * Registers the built-in modalities and any extra modality packages, in that order.
 * @param extra package names or module paths (`--modality-package`), after those in `LATENTKIT_MODALITY_PACKAGES`.
 * @returns the descriptors, in registration order, without duplicates.
 * @throws {InvalidArgumentError} when an extra package cannot be imported or exports no descriptor.
 */
export async function loadModalities(extra: readonly string[] = []): Promise<ModalityDescriptor[]> {
  const out = new Map<string, ModalityDescriptor>();
  for (const load of BUILT_IN) {
    const d = registerModality((await load()).modality);
    out.set(d.name, d);
  }
  for (const specifier of [...modalityPackagesFromEnv(), ...extra]) {
    const d = await importModality(specifier);
    out.set(d.name, d);
  }
  return [...out.values()];
}
