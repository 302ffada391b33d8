/**
 * @file The only way the CLI writes files. Every output is resolved inside the folder the user
 * named with `--out` (and inside `--out-root` when given): `..` and absolute names are refused,
 * an input is never overwritten and nothing is written inside a folder the command reads (the
 * `--model` folder, `--data`, every `--in`, links resolved first), and every file lands
 * atomically (core's writeFileAtomic; model folders through saveModelFolder). Every check runs
 * before anything is created, so a refused command leaves no trace.
 *
 * Symbolic links, one policy for every command: the path named by `--out` (a folder or a
 * file) may not itself be a link, wherever it points (a folder, a file, nowhere); inside an
 * output folder a link is followed only when it stays inside that folder; folders above the
 * named path are resolved like any path (a /tmp that is a link is fine). Refusals are
 * PathEscapeError (LK_PATH_ESCAPE). Model folders apply the same rule when read (core).
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
  /**
   * Files and folders the command reads: no input file is ever written to, and nothing is
   * written inside an input folder (see {@link outputOptions}, which collects them). @default []
   */
  inputs?: readonly string[];
}

/** What the command reads, resolved: paths and device/inode pairs of files, real folder paths. */
interface InputSet {
  paths: Set<string>;
  inodes: Set<string>;
  folders: string[];
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
async function descend(base: string, parts: readonly string[], display: string, guard: (real: string) => void): Promise<string> {
  let cur = base;
  for (const part of parts) {
    const next = join(cur, part);
    let info;
    try {
      info = await lstat(next);
    } catch (e) {
      if (exists(e)) throw e;
      guard(next);
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
    guard(cur);
    const s = await stat(cur);
    if (!s.isDirectory()) throw new InvalidArgumentError(`${display}: '${next}' exists and is not a folder.`, { file: next });
  }
  return cur;
}

/** Real paths and device/inode pairs of the inputs, and the real paths of input folders. */
async function inputIdentities(inputs: readonly string[]): Promise<InputSet> {
  const set: InputSet = { paths: new Set(), inodes: new Set(), folders: [] };
  for (const p of inputs) {
    const abs = resolve(p);
    set.paths.add(abs);
    try {
      const real = await realpath(abs);
      set.paths.add(real);
      const s = await stat(real);
      set.inodes.add(`${s.dev}:${s.ino}`);
      if (s.isDirectory()) set.folders.push(real);
    } catch {
      /* an input that does not exist cannot be overwritten */
    }
  }
  return set;
}

/**
 * The real path `abs` has or would have once created: its longest existing ancestor resolved
 * through links, plus the rest. Lets every check run before anything is created.
 */
async function prospectiveReal(abs: string): Promise<string> {
  const rest: string[] = [];
  for (let cur = abs; ; ) {
    try {
      return join(await realpath(cur), ...rest.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = dirname(cur);
      if (parent === cur) return abs;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/**
 * Refuses a (real) output path that is an input or lies inside a folder the command reads.
 * @throws {InvalidArgumentError} naming the input.
 */
function assertNotAnInput(inputs: InputSet, real: string, display: string): void {
  const folder = inputs.folders.find((f) => isInside(f, real));
  if (folder !== undefined) {
    throw new InvalidArgumentError(`Output '${display}' is inside '${folder}', a folder this command reads; latentkit never writes into its inputs.`, {
      file: real,
      hint: 'Choose an --out outside the --model, --data and --in folders.',
    });
  }
  if (inputs.paths.has(real)) {
    throw new InvalidArgumentError(`Output '${display}' is one of the inputs; latentkit never overwrites its inputs.`, { file: real, hint: 'Choose another --out.' });
  }
}

/** Refuses an `--out` that is itself a symbolic link (the policy in the file comment). */
async function assertNotALink(abs: string, display: string): Promise<void> {
  const info = await lstat(abs).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    const to = await realpath(abs).catch(() => '(nowhere: the link is broken)');
    throw new PathEscapeError(`Output '${display}' is a symbolic link to '${to}'; latentkit does not write through a link named as --out.`, {
      file: abs,
      hint: 'Name the real folder or file, or remove the link.',
    });
  }
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
    private readonly inputs: InputSet,
  ) {}

  /** @internal */
  static async create(path: string, display: string, inputs: readonly string[] | InputSet): Promise<OutputDir> {
    return new OutputDir(path, display, Array.isArray(inputs) ? await inputIdentities(inputs as readonly string[]) : (inputs as InputSet));
  }

  /** Refuses a path inside an input folder or equal to an input. */
  private guard(real: string): void {
    assertNotAnInput(this.inputs, real, relative(this.path, real) === '' ? this.display : join(this.display, relative(this.path, real)));
  }

  /**
   * Checks an output name and returns the absolute path it will be written to, creating the
   * folders on the way.
   * @param name a relative name such as `report.html` or `images/grid.png`.
   * @returns the absolute target path (inside this folder).
   * @throws {PathEscapeError} for `..`, absolute names, links that lead out, or a target that is a link.
   * @throws {InvalidArgumentError} when the target is an input, inside an input folder, or an existing folder.
   */
  async resolve(name: string): Promise<string> {
    const parts = segmentsOf(name, 'Output name');
    const parent = await descend(this.path, parts.slice(0, -1), this.display, (p) => this.guard(p));
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
      this.guard(target);
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
    this.guard(target);
    if (this.inputs.inodes.has(`${info.dev}:${info.ino}`)) {
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
   * @throws {InvalidArgumentError} when it is an input or inside an input folder.
   */
  async subdir(name: string): Promise<string> {
    const dir = name === '.' || name === '' ? this.path : await descend(this.path, segmentsOf(name, 'Output folder'), this.display, (p) => this.guard(p));
    this.guard(dir);
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
  return openDir(dir, options, false);
}

/** {@link openOutputDir}; `parentOfNamed`: the folder above a named output file, which may be a link. */
async function openDir(dir: string, options: OutputOptions, parentOfNamed: boolean): Promise<OutputDir> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('The output folder (--out) is empty.');
  const inputs = await inputIdentities(options.inputs ?? []);
  let real: string;
  if (options.root !== undefined) {
    const rootAbs = resolve(options.root);
    const abs = resolve(rootAbs, dir);
    const rel = relative(rootAbs, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new PathEscapeError(`Output '${dir}' leads out of the output root '${options.root}'.`, {
        hint: 'Give an --out inside --out-root (relative names are taken from --out-root).',
      });
    }
    // Every check before the first folder is created.
    if (!parentOfNamed && rel !== '') await assertNotALink(abs, dir);
    assertNotAnInput(inputs, await prospectiveReal(abs), dir);
    await mkdir(rootAbs, { recursive: true });
    const rootReal = await realpath(rootAbs);
    real = rel === '' ? rootReal : await descend(rootReal, segmentsOf(rel, 'Output folder'), options.root, (p) => assertNotAnInput(inputs, p, dir));
  } else {
    const abs = resolve(dir);
    if (!parentOfNamed) await assertNotALink(abs, dir);
    assertNotAnInput(inputs, await prospectiveReal(abs), dir);
    try {
      const s = await stat(abs);
      if (!s.isDirectory()) throw new InvalidArgumentError(`Output folder '${dir}' exists and is not a folder.`, { file: abs });
    } catch (e) {
      if (exists(e)) throw e;
      if ((await lstat(abs).catch(() => undefined))?.isSymbolicLink()) {
        throw new PathEscapeError(`Output folder '${dir}' is a broken symbolic link; latentkit does not write through it.`, { file: abs });
      }
      await mkdir(abs, { recursive: true });
    }
    real = await realpath(abs);
  }
  const out = await OutputDir.create(real, dir, inputs);
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
  // The folder above the named file is located, not named: it may be reached through a link.
  const abs = options.root !== undefined ? resolve(options.root, file) : resolve(file);
  await assertNotALink(abs, file);
  const dir = await openDir(dirname(file), options, true);
  await dir.resolve(name); // fail before any work is done
  return { dir, name, write: (data) => dir.write(name, data) };
}
