/**
 * @file The store's write lock: one writer at a time, so two `add`s never hand out the same
 * ids. A lock file made with O_EXCL holds the writer's pid and host; a lock whose process is
 * gone (killed mid-ingest) is taken over, so a crash never leaves the store locked for good.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rm } from 'node:fs/promises';
import { StoreLockedError } from './errors.js';

/** The lock file's name inside the store folder. */
export const LOCK_FILE = '.write.lock';

/** Whether process `pid` on this host is alive (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the store's write lock.
 * @param dir the store folder.
 * @returns a function that releases it.
 * @throws {StoreLockedError} when a live process (or one on another host) holds it.
 */
export async function acquireWriteLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const me = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(me);
      await fh.close();
      return async () => {
        // Only our own lock is removed: a taken-over lock belongs to someone else now.
        if ((await readFile(path, 'utf8').catch(() => '')) === me) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readFile(path, 'utf8').catch(() => '');
    const [pid, host] = holder.split('@');
    // An empty file is a writer killed between creating the file and writing its name.
    const stale = holder === '' || (host === hostname() && !alive(Number(pid)));
    if (!stale) {
      throw new StoreLockedError(`${dir}: another process (${holder}) is writing to the store.`, {
        file: dir,
        hint: `Wait for it to finish; if no such process runs, delete ${path}.`,
      });
    }
    await rm(path, { force: true });
  }
  throw new StoreLockedError(`${dir}: could not take the write lock.`, { file: dir });
}
