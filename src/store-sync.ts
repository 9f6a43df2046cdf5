/**
 * Keeps the running proxy in step with the store: members and grants changed
 * by another process (the CLI) are swapped into the snapshot within
 * STORE_POLL_MS; approved grants past their expiry are marked expired; every
 * grant change gets its line in the decision log and, when configured, its
 * email (src/notify); grants are counted by status for the metrics (so a
 * scrape only reads a variable).
 */
import type { Logger } from 'pino';
import type { DirectoryStore } from './directory/directory-store.ts';
import { buildActiveGrants } from './grants/active-grants.ts';
import { startExpiryTicker } from './grants/expiry-ticker.ts';
import type { GrantStore } from './grants/grant-store.ts';
import type { StaffStore } from './grants/staff-store.ts';
import type { Notifier } from './notify/notifier.ts';
import type { SnapshotHolder } from './pipeline/runtime-snapshot.ts';
import { readOverrides, type CategoryOverlay } from './category-overlay.ts';
import type { CategorySettingsStore } from './grants/category-settings-store.ts';
import type { GrantStatus } from './policy/grants.ts';
import { createStaffLogFeed } from './staff-log-feed.ts';
import { watchDatabase } from './store/change-watcher.ts';
import type { Database } from './store/database.ts';

/** How often the store is polled for changes made by other processes (CLI, admin). */
const STORE_POLL_MS = 250;
/** How often approved grants past their expiry are marked expired (honouring them stops at the exact instant regardless). */
const EXPIRY_TICK_MS = 5_000;
const GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];

export interface StoreSyncDeps {
  readonly db: Database;
  readonly directory: DirectoryStore;
  readonly grants: GrantStore;
  readonly staff: StaffStore;
  readonly snapshots: SnapshotHolder;
  readonly decisionLog: Logger;
  readonly log: Logger;
  readonly now: () => number;
  /** Email notifications, fed from the same audit trail as the staff log lines; absent when off. */
  readonly notifier?: Notifier | undefined;
  /** Write staff lines for grant changes into the decision log (false in all but one of several workers). */
  readonly staffLogLines: boolean;
  /** Administrators' category overrides: re-read on every store change and laid over the serving policy. */
  readonly categorySettings?: { readonly store: CategorySettingsStore; readonly overlay: CategoryOverlay } | undefined;
}

export interface StoreSync {
  /** Grants by status, as last counted. */
  grantCounts(): Readonly<Record<string, number>>;
  /**
   * This process wrote to the store (the watcher only sees other connections'
   * commits): reload, log and notify as for a change from elsewhere.
   */
  changed(why: string): void;
  /** Stops polling; resolves once the notifier has stopped too. */
  stop(): Promise<void>;
}

export async function startStoreSync(deps: StoreSyncDeps): Promise<StoreSync> {
  const { snapshots, log, now } = deps;
  let counts: Readonly<Record<string, number>> = {};
  const countGrants = async () => {
    const next: Record<string, number> = Object.fromEntries(GRANT_STATUSES.map((status) => [status, 0]));
    for (const grant of await deps.grants.list()) next[grant.status] = (next[grant.status] ?? 0) + 1;
    counts = next;
  };
  snapshots.update({ grants: await buildActiveGrants(deps.grants, now()) });
  await countGrants();
  const staffLog = deps.staffLogLines ? await createStaffLogFeed(deps.grants, deps.staff, deps.decisionLog) : { catchUp: async () => undefined };

  // One refresh at a time: the watcher, the expiry ticker and this process's own writes can all ask at once,
  // and the feeds below must each see every audit event exactly once.
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  const refresh = (why: string): Promise<void> => (stopped ? queue : (queue = queue.then(() => reload(why))));
  const reload = async (why: string) => {
    try {
      const grants = await buildActiveGrants(deps.grants, now());
      // Read against the policy serving right now (a list reload may have swapped it during the await).
      const cs = deps.categorySettings;
      const policy = cs === undefined ? null : cs.overlay.refresh(snapshots.current.policy, readOverrides(cs.store));
      snapshots.update({ directory: deps.directory.snapshot(), grants, ...(policy === null ? {} : { policy }) });
      if (policy !== null) log.info({ snapshot: snapshots.current.version }, 'category settings changed by an administrator applied');
      log.info({ snapshot: snapshots.current.version, why }, 'members and grants reloaded');
      await countGrants();
      await staffLog.catchUp(snapshots.current.directory);
    } catch (error) {
      log.error({ err: error }, 'members and grants could not be reloaded; the previous ones stay in force');
    }
    try {
      await deps.notifier?.catchUp(snapshots.current.directory);
    } catch (error) {
      log.error({ err: error }, 'notifications could not follow the audit trail; will try again at the next change');
    }
  };
  const watcher = watchDatabase(deps.db, STORE_POLL_MS, () => void refresh('store changed'));
  const ticker = startExpiryTicker({
    store: deps.grants,
    intervalMs: EXPIRY_TICK_MS,
    now,
    onExpired: (expired) => void refresh(`${expired.length} grant(s) expired`),
    onError: (error) => log.warn({ err: error }, 'marking expired grants failed; will retry'),
  });
  return {
    grantCounts: () => counts,
    changed: (why) => void refresh(why),
    async stop() {
      stopped = true;
      ticker.stop();
      watcher.stop();
      await queue;
      await deps.notifier?.stop();
    },
  };
}
