/**
 * The two parts /readyz checks, built from the running parts of wardgate:
 * the serving lists (from the snapshot) and the SQLite store.
 */
import type { Classifier } from '../classify/classifier.ts';
import type { SnapshotHolder } from '../pipeline/runtime-snapshot.ts';
import type { Database } from '../store/database.ts';
import type { Readiness } from './admin-server.ts';

/**
 * Lists count as loaded when the serving classifier is not the block-all
 * stand-in (`unavailable`, null when serving started with real lists) and
 * indexes something.
 */
export function listsReadiness(snapshots: SnapshotHolder, unavailable: Classifier | null): Readiness['lists'] {
  return () => {
    const { classifier } = snapshots.current;
    const { stats } = classifier;
    return { ready: classifier !== unavailable && (stats.domains > 0 || stats.lists > 0), stats };
  };
}

/** Throws when the store does not answer a trivial query (closed, locked out, gone). */
export function storeReadiness(db: Database): Readiness['checkStore'] {
  return () => {
    db.prepare('SELECT 1').get();
  };
}
