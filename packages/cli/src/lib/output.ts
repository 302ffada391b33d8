/**
 * @file The only way the CLI writes files. Every output is resolved inside the folder the user
 * named with `--out` (and inside `--out-root` when given): `..` and absolute names are refused,
 * links that lead out are never followed, an input file is never overwritten, and every file
 * lands atomically (core's writeFileAtomic; model folders through saveModelFolder).
 */
import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, PathEscapeError, writeFileAtomic } from '@latentkit/core';

/** Options of {@link openOutputDir} and {@link openOutputFile}. */
export interface OutputOptions {
  /**
   * Confine every write to this folder: the output path is resolved relative to it (not to the
   * working directory) and must stay inside it, also after following links.
   * @default no confinement beyond the output path itself
   */
  root?: string;
  /** Files the command reads; none of them is ever written to. @default [] */
  inputs?: readonly string[];
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function exists(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code !== 'ENOENT';
}

/** Splits a relative output name into checked segments. @throws {PathEscapeError} for `..`, absolute or odd names. */
function segmentsOf(name: string, what: string): string[] {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${what} is empty.`);
  if (name.includes('\0')) throw new PathEscapeError(`${what} '${name.replace(/\0/g, '\\0')}' contains a NUL character.`);
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
    throw new PathEscapeError(`${what} '${name}' is absolute; outputs are named relative to their output folder.`);
  }
  const parts = name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) {
    throw new PathEscapeError(`${what} '${name}' leads out of its output folder through '..'.`, {
      hint: 'Name a file inside the output folder.',
    });
  }
  if (parts.length === 0) throw new InvalidArgumentError(`${what} '${name}' names no file.`);
  return parts;
}

/**
 * Walks `parts` down from the real folder `base`, creating missing folders one at a time, and
 * returns the real path reached. A link on the way is followed only when its target stays
 * inside `base`; creating folders step by step (never `mkdir -p` through a link) keeps a link
 * to elsewhere from receiving even an empty folder.
 */
async function descend(base: string, parts: readonly string[], display: string): Promise<string> {
  let cur = base;
  for (const part of parts) {
    const next = join(cur, part);
    let info;
    try {
      info = await lstat(next);
    } catch (e) {
      if (exists(e)) throw e;
      await mkdir(next).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      info = await lstat(next);
    }
    if (info.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        throw new PathEscapeError(`${display}: '${next}' is a broken symbolic link; latentkit does not write through it.`, { file: next });
      }
      if (!isInside(base, target)) {
        throw new PathEscapeError(`${display}: '${next}' is a symbolic link to '${target}', outside the output folder '${base}'.`, {
          file: next,
          hint: 'Remove the link or choose another --out.',
        });
      }
      cur = target;
    } else {
      cur = next;
    }
    const s = await stat(cur);
    if (!s.isDirectory()) throw new InvalidArgumentError(`${display}: '${next}' exists and is not a folder.`, { file: next });
  }
  return cur;
}

/** Real paths and device/inode pairs of the inputs, to recognise them under any name. */
async function inputIdentities(inputs: readonly string[]): Promise<{ paths: Set<string>; inodes: Set<string> }> {
  const paths = new Set<string>();
  const inodes = new Set<string>();
  for (const p of inputs) {
    const abs = resolve(p);
    paths.add(abs);
    try {
      paths.add(await realpath(abs));
      const s = await stat(abs);
      inodes.add(`${s.dev}:${s.ino}`);
    } catch {
      /* an input that does not exist cannot be overwritten */
    }
  }
  return { paths, inodes };
}

/**
 * A folder the CLI may write into. Obtain one with {@link openOutputDir}.
 *
 * @example
 * ```ts
 * const out = await openOutputDir('out', { inputs: ['in.png'] });
 * await out.write('grid.png', png); // out/grid.png, atomically
 * ```
 */
export class OutputDir {
  private constructor(
    /** The real (link-free) absolute path of the folder. */
    readonly path: string,
    /** The path as the user gave it, for messages. */
    readonly display: string,
    private readonly inputs: { paths: Set<string>; inodes: Set<string> },
  ) {}

  /** @internal */
  static async create(path: string, display: string, inputs: readonly string[]): Promise<OutputDir> {
    return new OutputDir(path, display, await inputIdentities(inputs));
  }

  /**
   * Checks an output name and returns the absolute path it will be written to, creating the
   * folders on the way.
   * @param name a relative name such as `report.html` or `images/grid.png`.
   * @returns the absolute target path (inside this folder).
   * @throws {PathEscapeError} for `..`, absolute names, links that lead out, or a target that is a link.
   * @throws {InvalidArgumentError} when the target is an input file or an existing folder.
   */
  async resolve(name: string): Promise<string> {
    const parts = segmentsOf(name, 'Output name');
    const parent = await descend(this.path, parts.slice(0, -1), this.display);
    const target = join(parent, parts[parts.length - 1]);
    await this.checkTarget(target, name);
    return target;
  }

  private async checkTarget(target: string, name: string): Promise<void> {
    let info;
    try {
      info = await lstat(target);
    } catch (e) {
      if (exists(e)) throw e;
      return;
    }
    if (info.isSymbolicLink()) {
      const to = await realpath(target).catch(() => '(nowhere)');
      throw new PathEscapeError(`Output '${join(this.display, name)}' is a symbolic link to '${to}'; latentkit does not write through links.`, {
        file: target,
        hint: 'Remove the link or choose another --out.',
      });
    }
    if (info.isDirectory()) throw new InvalidArgumentError(`Output '${join(this.display, name)}' exists and is a folder.`, { file: target });
    if (this.inputs.paths.has(target) || this.inputs.inodes.has(`${info.dev}:${info.ino}`)) {
      throw new InvalidArgumentError(`Output '${join(this.display, name)}' is one of the input files; latentkit never overwrites its inputs.`, {
        file: target,
        hint: 'Choose another --out.',
      });
    }
  }

  /**
   * Writes a file atomically.
   * @param name a relative name, checked as in {@link OutputDir.resolve}.
   * @param data bytes or UTF-8 text.
   * @returns the absolute path written.
   * @throws as {@link OutputDir.resolve}.
   */
  async write(name: string, data: Uint8Array | string): Promise<string> {
    const target = await this.resolve(name);
    await writeFileAtomic(target, data);
    return target;
  }

  /**
   * Prepares a sub-folder (for a model folder, which saveModelFolder fills atomically).
   * @param name a relative folder name; `.` is this folder itself.
   * @returns its absolute real path.
   * @throws {PathEscapeError} as {@link OutputDir.resolve}.
   * @throws {InvalidArgumentError} when it is an input.
   */
  async subdir(name: string): Promise<string> {
    const dir = name === '.' || name === '' ? this.path : await descend(this.path, segmentsOf(name, 'Output folder'), this.display);
    if (this.inputs.paths.has(dir)) {
      throw new InvalidArgumentError(`Output folder '${dir}' is an input; latentkit never writes into its inputs.`, { file: dir });
    }
    return dir;
  }

  /** A path relative to this folder, for links in reports and messages. */
  relative(target: string): string {
    return relative(this.path, target).split(sep).join('/');
  }
}

/**
 * Opens (creating it if needed) the folder a command writes into.
 * @param dir the `--out` folder; with `root` it is taken relative to `root` and must stay inside it.
 * @param options `root` confinement and the command's input files.
 * @returns the output folder.
 * @throws {PathEscapeError} when `dir` leads out of `root` (`..`, absolute path, link).
 * @throws {InvalidArgumentError} when `dir` exists and is not a folder, or is an input.
 * @example
 * ```ts
 * const out = await openOutputDir('../x', { root: 'results' }); // throws PathEscapeError
 * ```
 */
export async function openOutputDir(dir: string, options: OutputOptions = {}): Promise<OutputDir> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('The output folder (--out) is empty.');
  let real: string;
  if (options.root !== undefined) {
    const rootAbs = resolve(options.root);
    await mkdir(rootAbs, { recursive: true });
    const rootReal = await realpath(rootAbs);
    const abs = resolve(rootAbs, dir);
    const rel = relative(rootAbs, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new PathEscapeError(`Output '${dir}' leads out of the output root '${options.root}'.`, {
        hint: 'Give an --out inside --out-root (relative names are taken from --out-root).',
      });
    }
    real = rel === '' ? rootReal : await descend(rootReal, segmentsOf(rel, 'Output folder'), options.root);
  } else {
    const abs = resolve(dir);
    try {
      const s = await stat(abs);
      if (!s.isDirectory()) throw new InvalidArgumentError(`Output folder '${dir}' exists and is not a folder.`, { file: abs });
    } catch (e) {
      if (exists(e)) throw e;
      await mkdir(abs, { recursive: true });
    }
    real = await realpath(abs);
  }
  const out = await OutputDir.create(real, dir, options.inputs ?? []);
  await out.subdir('.');
  return out;
}

/** One output file and the folder it lives in. */
export interface OutputFile {
  dir: OutputDir;
  /** The file's name inside `dir`. */
  name: string;
  /** Writes the file atomically; returns its absolute path. */
  write(data: Uint8Array | string): Promise<string>;
}

/**
 * Prepares a single output file such as `codes.npy` (its folder is created).
 * @param file the `--out` file; with `root` it is taken relative to `root` and must stay inside it.
 * @param options `root` confinement and the command's input files.
 * @returns a handle whose `write` checks the target again and writes atomically.
 * @throws {PathEscapeError} when the file leads out of `root` or is a link.
 * @throws {InvalidArgumentError} when it is an input file or a folder.
 * @example
 * ```ts
 * const out = await openOutputFile('codes.npy', { inputs: ['sentences.txt'] });
 * await out.write(npyBytes);
 * ```
 */
export async function openOutputFile(file: string, options: OutputOptions = {}): Promise<OutputFile> {
  if (typeof file !== 'string' || file.length === 0) throw new InvalidArgumentError('The output file (--out) is empty.');
  if (/[\\/]$/.test(file)) throw new InvalidArgumentError(`Output '${file}' names a folder; this command writes one file.`);
  const name = basename(file);
  if (name === '..' || name === '.') throw new PathEscapeError(`Output '${file}' names no file.`);
  const dir = await openOutputDir(dirname(file), options);
  await dir.resolve(name); // fail before any work is done
  return { dir, name, write: (data) => dir.write(name, data) };
}
