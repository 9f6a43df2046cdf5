/**
 * Notices commits made to the store by other connections, so the running
 * proxy picks up `wardgate members add` (another process) within a second.
 *
 * SQLite bumps `PRAGMA data_version` on a connection whenever a different
 * connection, in this process or another, has committed since it last
 * looked. Commits made through the watched connection itself do NOT move it:
 * whoever writes through that connection must rebuild its own snapshot.
 * Polling that one pragma is cheap and exact (it cannot be fooled by file
 * timestamps or missed file-system events), so this is a timer, not fs.watch.
 *
 * The timer is unref'd: watching never keeps the process alive.
 */
import type { Database } from './database.ts';

export interface DatabaseWatcher {
  stop(): void;
}

/**
 * Calls `onChange` at most once per tick of `intervalMs` when another
 * connection has committed. Errors from polling or from `onChange` go to
 * `onError` when given; without it they are thrown from the timer, like any
 * other uncaught error. Stops by itself once `db` is closed.
 */
export function watchDatabase(
  db: Database,
  intervalMs: number,
  onChange: () => void,
  onError?: (error: unknown) => void,
): DatabaseWatcher {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`watchDatabase: intervalMs must be a positive number of milliseconds, got ${intervalMs}`);
  }
  let last = dataVersion(db);
  const timer = setInterval(() => {
    if (!db.open) {
      clearInterval(timer);
      return;
    }
    try {
      const current = dataVersion(db);
      if (current === last) return;
      last = current;
      onChange();
    } catch (error) {
      if (onError === undefined) throw error;
      onError(error);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function dataVersion(db: Database): number {
  return db.pragma('data_version', { simple: true }) as number;
}
