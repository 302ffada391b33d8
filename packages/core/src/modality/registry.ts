/**
 * @file Modalities by name. A front end registers the descriptors it ships with, in one place;
 * `loadModel(dir)` finds any other installed modality package on its own: for a folder whose
 * kind nobody registered, it imports the package named by `LATENTKIT_MODALITY_PACKAGES` or by
 * the convention `@latentkit/<modality>` and registers the descriptor that package exports as
 * `modality`. Importing a modality package registers nothing by itself (no import side
 * effects); registration is always a call, here or in the front end.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors/errors.js';
import { registerModels } from '../model/registry.js';
import type { ModalityDescriptor } from './descriptor.js';

const modalities = new Map<string, ModalityDescriptor>();
/** Specifiers already imported (or tried), so discovery imports each package once. */
const imported = new Map<string, Promise<ModalityDescriptor | undefined>>();

/** Environment variable listing extra modality packages (comma-separated names or paths). */
export const MODALITY_PACKAGES_ENV = 'LATENTKIT_MODALITY_PACKAGES';

const NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Whether a value looks like a {@link ModalityDescriptor} (the fields every front end relies on).
 * @param value anything.
 */
export function isModalityDescriptor(value: unknown): value is ModalityDescriptor {
  const d = value as Partial<ModalityDescriptor> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.name === 'string' &&
    NAME.test(d.name) &&
    typeof d.codec === 'object' &&
    d.codec !== null &&
    typeof d.codec.decode === 'function' &&
    Array.isArray(d.models) &&
    Array.isArray(d.recipes) &&
    Array.isArray(d.datasets) &&
    Array.isArray(d.parts)
  );
}

/**
 * Registers a modality and its model kinds (a later registration of the same name replaces it).
 * @param descriptor the modality package's `modality` export.
 * @returns the descriptor.
 * @throws {InvalidArgumentError} when it is not a descriptor.
 * @example
 * ```ts
 * import { modality as image } from '@latentkit/image';
 * registerModality(image);
 * ```
 */
export function registerModality<S, O>(descriptor: ModalityDescriptor<S, O>): ModalityDescriptor<S, O> {
  if (!isModalityDescriptor(descriptor)) {
    throw new InvalidArgumentError(`Not a modality descriptor: it needs a lower-case name, a codec with decode(), and models, recipes, datasets and parts lists.`);
  }
  modalities.set(descriptor.name, descriptor);
  registerModels(descriptor.models);
  return descriptor;
}

/** Registered modalities, in registration order. */
export function registeredModalities(): ModalityDescriptor[] {
  return [...modalities.values()];
}

/** The registered modality called `name`, if any. */
export function getModality(name: string): ModalityDescriptor | undefined {
  return modalities.get(name);
}

/** Extra modality packages named by `LATENTKIT_MODALITY_PACKAGES` (comma-separated). */
export function modalityPackagesFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return (env[MODALITY_PACKAGES_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A path (`./x.js`, `/abs/x.js`) becomes a file URL; a package name stays as it is. */
function importable(specifier: string): string {
  if (specifier.startsWith('file:')) return specifier;
  if (specifier.startsWith('.') || isAbsolute(specifier)) return pathToFileURL(resolve(specifier)).href;
  return specifier;
}

/**
 * Imports a modality package (a package name, or a path to a module) and registers the
 * descriptor it exports as `modality` (or as its default export).
 * @param specifier e.g. `@latentkit/image`, `my-modality`, `./my-modality.js`.
 * @returns the registered descriptor.
 * @throws {InvalidArgumentError} when the module cannot be imported or exports no descriptor.
 */
export async function importModality(specifier: string): Promise<ModalityDescriptor> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(importable(specifier))) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidArgumentError(`Cannot import modality package '${specifier}': ${(e as Error).message.split('\n')[0]}`, {
      cause: e,
      hint: 'Install it (npm install <package>), or give a path to a module that exports `modality`.',
    });
  }
  const descriptor = mod.modality ?? mod.default;
  if (!isModalityDescriptor(descriptor)) {
    throw new InvalidArgumentError(`'${specifier}' exports no modality descriptor (expected an export named \`modality\`).`);
  }
  return registerModality(descriptor);
}

async function tryImport(specifier: string): Promise<ModalityDescriptor | undefined> {
  let p = imported.get(specifier);
  if (!p) {
    p = importModality(specifier).catch(() => undefined);
    imported.set(specifier, p);
  }
  return p;
}

/**
 * Finds the modality called `name`: registered already, else from the packages
 * `LATENTKIT_MODALITY_PACKAGES` names, else from the package `@latentkit/<name>` if installed.
 * @param name a modality name, e.g. the `modality` recorded in a model folder.
 * @returns the descriptor, or undefined when no installed package provides it.
 */
export async function findModality(name: string): Promise<ModalityDescriptor | undefined> {
  const known = modalities.get(name);
  if (known) return known;
  for (const specifier of modalityPackagesFromEnv()) {
    await tryImport(specifier);
    if (modalities.has(name)) return modalities.get(name);
  }
  // Only a plain name may become part of a package name (a manifest is untrusted input).
  if (NAME.test(name)) await tryImport(`@latentkit/${name}`);
  return modalities.get(name);
}
