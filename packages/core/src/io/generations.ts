/**
 * @file Who may remove which generation folder (`weights-<id>/`) of a model folder, so that
 * any number of processes can save into one folder at once without a lock.
 *
 * Why no lock: renaming `latentkit.json` into place is already an atomic commit, so concurrent
 * saves never need to exclude each other; only the clean-up of old generations can do harm
 * (deleting a generation another writer is still filling, or one that just became current).
 * A lock file around that step would need stale-lock recovery after a SIGKILL, i.e. a timeout
 * every later save waits out, and a read-only reader could not take it at all. Instead:
 *
 * 1. A writer first creates its marker `.weights-<id>.writer` (its pid, host and process start
 *    time, written to a temporary name and renamed, so it is never seen half-written), then
 *    its generation folder, fills it, commits `latentkit.json`, and only then removes the marker.
 * 2. A sweep removes a generation only if (a) it has no marker, or its marker's process is dead,
 *    checked first, and (b) `latentkit.json`, read after that check, does not name it.
 *
 * Why this is safe: only a writer holding a live marker ever commits. If a generation has no
 * live marker at (a), its writer has already committed (or died), so the manifest read at (b)
 * already shows that commit or a later one, and the generation can never become current again.
 * A generation that is current at (b) is kept. A reader opens every file of its generation
 * right after reading the manifest and reads through those open files, so a sweep after that
 * does it no harm; one that lands in between makes it re-read the manifest (readModelFolder).
 * @internal
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

/** Prefix of generation folder names. */
export const GENERATION_PREFIX = 'weights-';
const MARKER_SUFFIX = '.writer';
// A marker from another host cannot be checked with a pid; after a day its save is surely over.
const FOREIGN_MARKER_TTL_MS = 24 * 3600 * 1000;
// Temporary files of writeFileAtomic: `.<name>.tmp-<pid>-<8 hex>`.
const TEMP_FILE = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

interface WriterRecord {
  pid: number;
  host: string;
  /** The process's start time (Linux clock ticks since boot), to tell a reused pid from its writer. */
  start?: string;
  createdAt: number;
}

/** A generation this process is writing: its folder name, and `release()` once committed. */
export interface ClaimedGeneration {
  root: string;
  /** Removes the marker; the generation is then an ordinary one a sweep may remove if not current. */
  release(): Promise<void>;
}

function markerOf(root: string): string {
  return `.${root}${MARKER_SUFFIX}`;
}

/** Field 22 of /proc/<pid>/stat (start time), or undefined where there is no procfs. */
async function processStart(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may hold spaces; fields after it split cleanly.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let ownStart: Promise<string | undefined> | undefined;

/**
 * Claims a new generation in `dir` (which must exist): writes its marker before anything else.
 * @returns the generation's folder name (not yet created) and its release.
 */
export async function claimGeneration(dir: string): Promise<ClaimedGeneration> {
  const root = `${GENERATION_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  ownStart ??= processStart(process.pid);
  const record: WriterRecord = { pid: process.pid, host: hostname(), createdAt: Date.now() };
  const start = await ownStart;
  if (start !== undefined) record.start = start;
  const marker = join(dir, markerOf(root));
  await writeFileAtomic(marker, JSON.stringify(record));
  return { root, release: () => rm(marker, { force: true }) };
}

/** Whether the process behind a marker may still be writing. */
async function writerAlive(record: WriterRecord): Promise<boolean> {
  if (record.host !== hostname()) return Date.now() - record.createdAt < FOREIGN_MARKER_TTL_MS;
  if (!pidAlive(record.pid)) return false;
  if (record.start === undefined) return true;
  const now = await processStart(record.pid);
  return now === undefined || now === record.start;
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `none` (no marker), `alive` or `dead` for the writer of generation `root`. */
async function writerState(dir: string, root: string): Promise<'none' | 'alive' | 'dead'> {
  const path = join(dir, markerOf(root));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    return 'alive'; // cannot tell: keep the generation
  }
  let record: WriterRecord;
  try {
    record = JSON.parse(text) as WriterRecord;
    if (typeof record.pid !== 'number' || typeof record.host !== 'string') throw new Error('not a marker');
  } catch {
    // Markers are renamed into place whole, so only a crash of the machine leaves a broken one;
    // a young one is kept in case the file system shows it late.
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => Infinity);
    return age < 60_000 ? 'alive' : 'dead';
  }
  return (await writerAlive(record)) ? 'alive' : 'dead';
}

/** Removes a path, ignoring every error: a sweep is best effort, and the next save retries. */
async function removeQuietly(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // another sweep got there first, or the file system refused: left for a later save
  }
}

/**
 * Removes the generations of `dir` that are neither current nor being written by a live
 * process, markers of dead writers, and temporary files of dead processes. Never throws.
 * @param dir the model folder.
 * @param currentRoot reads the generation `latentkit.json` names now (undefined when there is
 *   no readable manifest: then no generation is removed).
 */
export async function sweepGenerations(dir: string, currentRoot: () => Promise<string | undefined>): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const names = new Set(entries);
  for (const entry of entries) {
    if (entry.startsWith(GENERATION_PREFIX)) {
      // The order matters (see the file comment): the writer's state first, then the manifest.
      const writer = await writerState(dir, entry);
      if (writer === 'alive') continue;
      const current = await currentRoot().catch(() => undefined);
      if (current === undefined) continue;
      if (current === entry) {
        // Committed, then its writer died before removing the marker: only the marker is stale.
        if (writer === 'dead') await removeQuietly(join(dir, markerOf(entry)));
        continue;
      }
      await removeQuietly(join(dir, entry));
      if (writer === 'dead') await removeQuietly(join(dir, markerOf(entry)));
    } else if (entry.startsWith(`.${GENERATION_PREFIX}`) && entry.endsWith(MARKER_SUFFIX)) {
      // A marker without its folder: a live writer is about to create it; a dead one never will.
      const root = entry.slice(1, -MARKER_SUFFIX.length);
      if (!names.has(root) && (await writerState(dir, root)) === 'dead') await removeQuietly(join(dir, entry));
    } else {
      const m = TEMP_FILE.exec(entry);
      if (m && !pidAlive(Number(m[1]))) await removeQuietly(join(dir, entry));
    }
  }
}

/**
 * Whether `entry` is a name latentkit itself puts in a model folder while saving (generations,
 * markers, temporary files), so a folder holding only these is a model folder being written.
 */
export function isSaveArtifact(entry: string): boolean {
  return entry.startsWith(GENERATION_PREFIX) || (entry.startsWith(`.${GENERATION_PREFIX}`) && entry.endsWith(MARKER_SUFFIX)) || TEMP_FILE.test(entry);
}
