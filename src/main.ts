/**
 * Composition root for `wardgate serve`: configuration → loggers → lists →
 * store → snapshot → proxy listener → admin server → signals. The only place concrete
 * implementations are chosen and wired together.
 */
import type { Logger } from 'pino';
import { formatDiagnostic, rebuildListsSnapshot, servingListsSnapshot, unavailableListsSnapshot, type ListsSnapshot } from './compose.ts';
import type { Config, HostPort } from './config/config.ts';
import { DirectoryStore } from './directory/directory-store.ts';
import { verifyPassword } from './directory/password.ts';
import { createLoggers, type Loggers } from './log/loggers.ts';
import { SnapshotHolder } from './pipeline/runtime-snapshot.ts';
import { createIdentifier } from './proxy/identify-member.ts';
import { createProxyServer } from './proxy/proxy-server.ts';
import { Upstream } from './proxy/upstream.ts';
import { openDatabase } from './store/database.ts';
import { watchDatabase } from './store/change-watcher.ts';
import { createListReloader, type ReloadOutcome } from './reload/list-reloader.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { buildActiveGrants, EMPTY_GRANT_INDEX } from './grants/active-grants.ts';
import { startExpiryTicker } from './grants/expiry-ticker.ts';
import { grantPolicyFromLists } from './grants/non-grantable.ts';
import { SqliteGrantStore } from './grants/sqlite-grant-store.ts';
import { StaffStore } from './grants/staff-store.ts';
import { createStaffLogFeed } from './staff-log-feed.ts';
import { createAdminServer, type AdminServer } from './admin/admin-server.ts';
import { listsReadiness, storeReadiness } from './admin/readiness.ts';
import { createProxyMetrics } from './metrics/proxy-metrics.ts';
import type { GrantStatus } from './policy/grants.ts';

/** How often the store is polled for changes made by other processes (CLI, admin). */
const STORE_POLL_MS = 250;
/** Quiet time after the last list file change before the lists are rebuilt. */
const LIST_CHANGE_DEBOUNCE_MS = 500;
/** How often `serve` retries loading lists that were unavailable at start (block-all mode). */
const LIST_RETRY_MS = 10_000;
/** How often approved grants past their expiry are marked expired (honouring them stops at the exact instant regardless). */
const EXPIRY_TICK_MS = 5_000;
const GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];

export interface Wardgate {
  readonly address: HostPort;
  /** Where the admin server (health, readiness, metrics) listens; null when it is off. */
  readonly adminAddress: HostPort | null;
  readonly snapshots: SnapshotHolder;
  readonly loggers: Loggers;
  /** Rebuilds the category lists off the request path; the old lists keep serving if the new ones have problems. */
  reloadLists(trigger: string): Promise<ReloadOutcome>;
  /** Graceful stop: finish in-flight requests (up to the configured grace), flush logs, close the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Replace the loggers (tests capture decision lines this way). */
  readonly loggers?: Loggers;
  readonly now?: () => number;
  /** How often lists unavailable at start are retried (block-all mode); LIST_RETRY_MS by default. */
  readonly listRetryMs?: number;
}

function logDiagnostics(log: Logger, diagnostics: readonly { file: string; line: number; message: string }[]): void {
  for (const d of diagnostics) log.warn({ file: d.file, line: d.line }, `category lists: ${formatDiagnostic(d)}`);
}

/**
 * The lists to start with. With none loadable the proxy fails closed: it
 * refuses to start, or, with `lists.whenUnavailable: block-all`, serves with
 * lists that block every request (evaluate() turns the classifier's fault
 * into an internal-error block) until real ones load.
 */
async function servingListsOrBlockAll(config: Config, log: Logger): Promise<ListsSnapshot> {
  try {
    return await servingListsSnapshot(config);
  } catch (error) {
    if (config.lists.whenUnavailable !== 'block-all') throw error;
    log.error({ err: error }, 'no category lists could be loaded: blocking every request until they can (lists.whenUnavailable = block-all)');
    return unavailableListsSnapshot(error);
  }
}

export async function startWardgate(config: Config, options: StartOptions = {}): Promise<Wardgate> {
  const loggers = options.loggers ?? createLoggers(config.dataDir, config.log);
  const log = loggers.app;
  const lists = await servingListsOrBlockAll(config, log);
  logDiagnostics(log, lists.diagnostics);

  const now = options.now ?? Date.now;
  const db = openDatabase(config.dataDir);
  const directory = new DirectoryStore(db);
  const snapshots = new SnapshotHolder({ classifier: lists.classifier, policy: lists.policy, directory: directory.snapshot(), grants: EMPTY_GRANT_INDEX });
  // The store checks non-grantable content against the lists serving now (they can be reloaded).
  const grantStore = new SqliteGrantStore(db, {
    policy: () => grantPolicyFromLists(snapshots.current.policy, snapshots.current.classifier),
    clock: now,
  });
  snapshots.update({ grants: await buildActiveGrants(grantStore, now()) });
  // Grants by status for the metrics: counted when the store changes, so a scrape only reads them.
  let grantCounts: Readonly<Record<string, number>> = {};
  const countGrants = async () => {
    try {
      const counts: Record<string, number> = Object.fromEntries(GRANT_STATUSES.map((status) => [status, 0]));
      for (const grant of await grantStore.list()) counts[grant.status] = (counts[grant.status] ?? 0) + 1;
      grantCounts = counts;
    } catch (error) {
      log.warn({ err: error }, 'grants could not be counted for the metrics; the previous counts stay');
    }
  };
  await countGrants();
  const staff = new StaffStore(db);
  const staffLog = await createStaffLogFeed(grantStore, staff, loggers.decisions);
  // Members and grants changed by another process (CLI, admin) are picked up within STORE_POLL_MS.
  const refreshStore = async (why: string) => {
    try {
      snapshots.update({ directory: directory.snapshot(), grants: await buildActiveGrants(grantStore, now()) });
      await countGrants();
      log.info({ snapshot: snapshots.current.version, why }, 'members and grants reloaded');
      await staffLog.catchUp(snapshots.current.directory);
    } catch (error) {
      log.error({ err: error }, 'members and grants could not be reloaded; the previous ones stay in force');
    }
  };
  const watcher = watchDatabase(db, STORE_POLL_MS, () => void refreshStore('store changed'));
  const ticker = startExpiryTicker({
    store: grantStore,
    intervalMs: EXPIRY_TICK_MS,
    now,
    onExpired: (expired) => void refreshStore(`${expired.length} grant(s) expired`),
    onError: (error) => log.warn({ err: error }, 'marking expired grants failed; will retry'),
  });
  if (!staff.hasEnabledAdmin()) {
    log.warn('no ICT administrator account yet: create one with `wardgate users add ID --role admin --password-stdin`');
  }

  const tunnels = new Set<Socket>();
  const metrics = createProxyMetrics({
    tunnels: () => tunnels.size,
    indexStats: () => snapshots.current.classifier.stats,
    grantsByStatus: () => grantCounts,
  });
  const upstream = new Upstream({ parentProxy: config.parentProxy, resolve: config.resolve, ...config.limits });
  const proxy = createProxyServer({
    snapshots,
    identify: createIdentifier({ verifyPassword, cacheTtlMs: 5 * 60_000, cacheSize: 10_000, maxFailures: 20, failureWindowMs: 5 * 60_000 }),
    decisionLog: loggers.decisions,
    appLog: log,
    now,
    upstream,
    connectPorts: new Set(config.connectPorts),
    limits: config.limits,
    tunnels,
    inFlight: { count: 0 },
    metrics,
  });
  const address = await proxy.listen(config.listen);
  const stats = lists.classifier.stats;
  log.info({ address, categoriesDir: config.categoriesDir, listsFrom: lists.origin, ...stats, members: snapshots.current.directory.members.size }, 'wardgate listening');
  if (snapshots.current.directory.members.size === 0) {
    log.warn('no members in the directory yet, so every request will be refused (407): add them with `wardgate groups add` and `wardgate members add`');
  }

  // The admin server, on its own address; the lists count as loaded once they are not the block-all stand-in.
  const unavailableClassifier = lists.origin === 'unavailable' ? lists.classifier : null;
  let admin: AdminServer | null = null;
  let adminAddress: HostPort | null = null;
  if (config.admin !== null) {
    admin = createAdminServer({
      metrics,
      log,
      readiness: { lists: listsReadiness(snapshots, unavailableClassifier), checkStore: storeReadiness(db) },
    });
    try {
      adminAddress = await admin.listen(config.admin);
    } catch (error) {
      await proxy.close(0);
      await upstream.close().catch(() => upstream.destroy());
      ticker.stop();
      watcher.stop();
      db.close();
      throw error;
    }
    log.info({ address: adminAddress }, 'admin server listening (/healthz, /readyz, /metrics)');
  }

  const importedDir = join(config.dataDir, 'lists', 'imported');
  mkdirSync(importedDir, { recursive: true });
  const reloader = createListReloader({
    snapshots,
    log,
    build: () => rebuildListsSnapshot(config),
    watchDirs: [config.categoriesDir, importedDir],
    debounceMs: LIST_CHANGE_DEBOUNCE_MS,
    servingDiagnostics: lists.origin === 'unavailable' ? null : lists.diagnostics,
  });
  reloader.watch();
  // Serving without lists (lists.whenUnavailable = block-all): keep trying until they load.
  let retry: NodeJS.Timeout | null = null;
  if (lists.origin === 'unavailable') {
    retry = setInterval(async () => {
      if ((await reloader.reload('retry: lists unavailable at start')) === 'reloaded' && retry !== null) clearInterval(retry);
    }, options.listRetryMs ?? LIST_RETRY_MS);
    retry.unref();
  }

  async function stop(): Promise<void> {
    reloader.stop();
    if (retry !== null) clearInterval(retry);
    ticker.stop();
    watcher.stop();
    await Promise.all([proxy.close(config.limits.shutdownGraceMs), admin?.close()]);
    await upstream.close().catch(() => upstream.destroy());
    db.close();
    if (loggers.close === undefined) loggers.flush();
    else await loggers.close();
  }

  return { address, adminAddress, snapshots, loggers, reloadLists: (trigger) => reloader.reload(trigger), stop };
}
