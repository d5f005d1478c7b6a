import { closeSync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Puts on disk what SQLite has committed to its write-ahead log: the fsync that
 * `synchronous = FULL` makes inside every COMMIT, moved to after the commit. A webhook's 200
 * still waits for it; the replies its turn claimed need not. They are handed to the outbox at
 * commit and are on their way to the platform (requests written to their sockets in this turn of
 * the event loop) while the disk catches up, and the commits of one turn share one fsync.
 *
 * The fsync runs on the main thread, in the check phase after that turn. On the thread pool it
 * reached the event loop late whenever the loop was busy (measured: a 200 waited about 3 ms for
 * a 0.5 ms fsync, and one person's throughput fell).
 *
 * The log is opened once and kept open: SQLite truncates and reuses it and removes it only when
 * its last connection closes, which the service's own does when it stops. A log that is not
 * there holds nothing to sync (SQLite checkpoints it into the database file, syncing that file,
 * before removing it).
 */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  /** Lets go of the log (when the database is closed). */
  close(): void;
}

export function createWalSync(databasePath: string): WalSync {
  const walPath = `${databasePath}-wal`;
  let fd: number | undefined;
  let waiting: { resolve(): void; reject(err: unknown): void }[] = [];

  function syncNow(): void {
    const now = waiting;
    waiting = [];
    try {
      if (fd === undefined) {
        fd = openIfThere(walPath, 'r+');
        // The folder once as well, so that the log's own name survives a power cut.
        if (fd !== undefined) syncFolder(dirname(walPath));
      }
      if (fd !== undefined) fdatasyncSync(fd);
      for (const w of now) w.resolve();
    } catch (err) {
      for (const w of now) w.reject(err);
    }
  }

  return {
    sync() {
      return new Promise<void>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(syncNow);
        waiting.push({ resolve, reject });
      });
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function syncFolder(path: string): void {
  const folder = openSync(path, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

function openIfThere(path: string, flags: string): number | undefined {
  try {
    return openSync(path, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
