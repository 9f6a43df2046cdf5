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
import { createListReloader, type ReloadOutcome } from './reload/list-reloader.ts';
import { mkdirSync } from 'node:fs';
import { compiledIndexPath } from './lists/compiled-lists.ts';
import { importedListsDir } from './lists/load-all-lists.ts';
import type { Socket } from 'node:net';
import { EMPTY_GRANT_INDEX } from './grants/active-grants.ts';
import { startStoreSync } from './store-sync.ts';
import { startMemberServices } from './self-service-wiring.ts';
import { grantPolicyFromLists } from './grants/non-grantable.ts';
import { SqliteGrantStore } from './grants/sqlite-grant-store.ts';
import { StaffStore } from './grants/staff-store.ts';
import type { AdminServer } from './admin/admin-server.ts';
import type { ProxyMetrics } from './metrics/proxy-metrics.ts';
import { NO_METRICS } from './metrics/no-metrics.ts';
import type { RequestMetrics } from './proxy/admission.ts';
import { CategoryOverlay, readOverrides } from './category-overlay.ts';
import { CategorySettingsStore } from './grants/category-settings-store.ts';

/** Quiet time after the last list file change before the lists are rebuilt. */
const LIST_CHANGE_DEBOUNCE_MS = 500;
/** How often `serve` retries loading lists that were unavailable at start (block-all mode). */
const LIST_RETRY_MS = 10_000;

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
  /**
   * Write the staff lines (grant changes from the audit trail) into this
   * process's decision log; true by default. Under `serve --workers N` only
   * worker 1 does, so each change is logged, and counted by reports, once.
   */
  readonly staffLogLines?: boolean;
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
    return await servingListsSnapshot(config, ({ kind, message }) => {
      // A compile of a large import (UT1: 4.8 million domains) takes several seconds before the proxy listens: say why.
      const what = `compiling the category lists into ${compiledIndexPath(config.dataDir)} before listening (with a large import such as UT1 this takes several seconds)`;
      if (kind === 'unusable') log.warn({ reason: message }, `the compiled index file cannot be used (see reason): ${what}`);
      else log.info({ reason: message }, `${kind === 'missing' ? 'no compiled index file yet' : 'the lists have changed'}: ${what}`);
    });
  } catch (error) {
    if (config.lists.whenUnavailable !== 'block-all') throw error;
    log.error({ err: error }, 'no category lists could be loaded: blocking every request until they can (lists.whenUnavailable = block-all)');
    return unavailableListsSnapshot(error);
  }
}

/**
 * Rebuilds the lists (in a worker) when their files change, on SIGHUP (via
 * reload) and, when none were loadable at start (block-all), every
 * `retryMs` until they load.
 */
function startListReloading(config: Config, snapshots: SnapshotHolder, log: Logger, lists: ListsSnapshot, retryMs: number, overlay: CategoryOverlay) {
  const importedDir = importedListsDir(config.dataDir);
  mkdirSync(importedDir, { recursive: true });
  const reloader = createListReloader({
    snapshots,
    log,
    // The reloaded base policy gets the administrators' category overrides.
    build: async (): Promise<ListsSnapshot> => {
      const next = await rebuildListsSnapshot(config);
      return { ...next, policy: overlay.apply(next.policy) };
    },
    watchDirs: [config.categoriesDir, importedDir],
    debounceMs: LIST_CHANGE_DEBOUNCE_MS,
    servingDiagnostics: lists.origin === 'unavailable' ? null : lists.diagnostics,
  });
  reloader.watch();
  let retry: NodeJS.Timeout | null = null;
  if (lists.origin === 'unavailable') {
    retry = setInterval(async () => {
      if ((await reloader.reload('retry: lists unavailable at start')) === 'reloaded' && retry !== null) clearInterval(retry);
    }, retryMs);
    retry.unref();
  }
  return {
    reload: (trigger: string) => reloader.reload(trigger),
    stop() {
      reloader.stop();
      if (retry !== null) clearInterval(retry);
    },
  };
}

export async function startWardgate(config: Config, options: StartOptions = {}): Promise<Wardgate> {
  const loggers = options.loggers ?? createLoggers(config.dataDir, config.log);
  const log = loggers.app;
  const lists = await servingListsOrBlockAll(config, log);
  logDiagnostics(log, lists.diagnostics);

  const now = options.now ?? Date.now;
  const db = openDatabase(config.dataDir);
  const directory = new DirectoryStore(db);
  const categorySettings = new CategorySettingsStore(db, now);
  const overlay = new CategoryOverlay(readOverrides(categorySettings));
  const snapshots = new SnapshotHolder({ classifier: lists.classifier, policy: overlay.apply(lists.policy), directory: directory.snapshot(), grants: EMPTY_GRANT_INDEX });
  // The store checks non-grantable content against the lists serving now (they can be reloaded).
  const grantStore = new SqliteGrantStore(db, {
    policy: () => grantPolicyFromLists(snapshots.current.policy, snapshots.current.classifier, config.grants),
    clock: now,
  });
  const staff = new StaffStore(db);
  const { selfService, notifier } = await startMemberServices(config, grantStore, staff, log, db, () => sync.changed('self-service request'));
  const sync = await startStoreSync({ db, directory, grants: grantStore, staff, snapshots, decisionLog: loggers.decisions, log, now, notifier, staffLogLines: options.staffLogLines ?? true, categorySettings: { store: categorySettings, overlay } });
  if (!staff.hasEnabledAdmin()) {
    log.warn('no ICT administrator account yet: create one with `wardgate users add ID --role admin --password-stdin`');
  }

  const tunnels = new Set<Socket>();
  // Metrics are read only through the admin server, so without one neither it nor prom-client is loaded: that kept
  // ≈10 MiB of modules (fastify, prom-client) and prom-client's default collectors out of a proxy-only process.
  let adminMetrics: ProxyMetrics | null = null;
  // Loaded before the proxy listens, so the time between 'wardgate listening' and serve's signal handlers stays as short as it was.
  const adminModules =
    config.admin === null
      ? null
      : await Promise.all([
          import('./admin/admin-server.ts'),
          import('./admin/readiness.ts'),
          import('./admin/staff-ui.ts'),
          import('./grants/api-token-store.ts'),
          import('./metrics/proxy-metrics.ts'),
        ]);
  if (adminModules !== null) {
    const [, , , , { createProxyMetrics }] = adminModules;
    adminMetrics = createProxyMetrics({
      tunnels: () => tunnels.size,
      indexStats: () => snapshots.current.classifier.stats,
      grantsByStatus: () => sync.grantCounts(),
    });
  }
  const metrics: RequestMetrics = adminMetrics ?? NO_METRICS;
  const upstream = new Upstream({ parentProxy: config.parentProxy, resolve: config.resolve, ...config.limits });
  const proxy = createProxyServer({
    snapshots,
    identify: createIdentifier({ verifyPassword, cacheTtlMs: 5 * 60_000, cacheSize: 10_000, maxFailures: 20, failureWindowMs: 5 * 60_000 }),
    decisionLog: loggers.decisions,
    writeDecision: loggers.writeDecision,
    appLog: log,
    now,
    upstream,
    connectPorts: new Set(config.connectPorts),
    limits: config.limits,
    tunnels,
    inFlight: { count: 0 },
    metrics,
    selfService,
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
  let adminDb: ReturnType<typeof openDatabase> | null = null;
  let stopStaffUi = () => {};
  if (config.admin !== null && adminModules !== null && adminMetrics !== null) {
    try {
      const [{ createAdminServer }, { listsReadiness, storeReadiness }, { createStaffUi }, { ApiTokenStore }] = adminModules;
      // The staff UI writes through its own connection, so the proxy's store
      // watcher (which only sees other connections' commits) picks up every
      // decision within STORE_POLL_MS, exactly as it does for the CLI.
      adminDb = openDatabase(config.dataDir);
      const staffUi = createStaffUi({
        db: adminDb,
        grants: new SqliteGrantStore(adminDb, {
          policy: () => grantPolicyFromLists(snapshots.current.policy, snapshots.current.classifier, config.grants),
          clock: now,
        }),
        staff: new StaffStore(adminDb, { clock: now }),
        directory: new DirectoryStore(adminDb),
        tokens: new ApiTokenStore(adminDb, now),
        categories: () => [...snapshots.current.policy.categories.values()],
        categorySettings: {
          store: new CategorySettingsStore(adminDb, now),
          base: () => [...overlay.baseOf(snapshots.current.policy).categories.values()],
          // This process's own change applies before the admin's page answers (other processes' within STORE_POLL_MS).
          changed: () => {
            const policy = overlay.refresh(snapshots.current.policy, readOverrides(categorySettings));
            if (policy !== null) snapshots.update({ policy });
          },
        },
        config,
        log,
        now,
      });
      stopStaffUi = staffUi.stop;
      admin = createAdminServer({
        metrics: adminMetrics,
        log,
        readiness: { lists: listsReadiness(snapshots, unavailableClassifier), checkStore: storeReadiness(db) },
        staffUi: staffUi.deps,
        ...(staffUi.tls === null ? {} : { tls: staffUi.tls }),
      });
      adminAddress = await admin.listen(config.admin);
    } catch (error) {
      stopStaffUi();
      await proxy.close(0);
      await upstream.close().catch(() => upstream.destroy());
      await sync.stop();
      adminDb?.close();
      db.close();
      throw error;
    }
    log.info({ address: adminAddress, tls: config.adminTls.cert !== null }, 'admin server listening (staff UI, /api/v1, /healthz, /readyz, /metrics)');
  }

  const listReloading = startListReloading(config, snapshots, log, lists, options.listRetryMs ?? LIST_RETRY_MS, overlay);

  async function stop(): Promise<void> {
    listReloading.stop();
    await sync.stop();
    await Promise.all([proxy.close(config.limits.shutdownGraceMs), admin?.close()]);
    stopStaffUi();
    await upstream.close().catch(() => upstream.destroy());
    adminDb?.close();
    db.close();
    if (loggers.close === undefined) loggers.flush();
    else await loggers.close();
  }

  return { address, adminAddress, snapshots, loggers, reloadLists: listReloading.reload, stop };
}
