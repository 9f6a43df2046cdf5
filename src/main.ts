/**
 * Composition root for `wardgate serve`: configuration → loggers → lists →
 * store → snapshot → proxy listener → signals. The only place concrete
 * implementations are chosen and wired together.
 */
import type { Logger } from 'pino';
import { formatDiagnostic, loadListsSnapshot } from './compose.ts';
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
import { join } from 'node:path';

/** How often the store is polled for changes made by other processes (CLI, admin). */
const STORE_POLL_MS = 250;
/** Quiet time after the last list file change before the lists are rebuilt. */
const LIST_CHANGE_DEBOUNCE_MS = 500;

export interface Wardgate {
  readonly address: HostPort;
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
}

function logDiagnostics(log: Logger, diagnostics: readonly { file: string; line: number; message: string }[]): void {
  for (const d of diagnostics) log.warn({ file: d.file, line: d.line }, `category lists: ${formatDiagnostic(d)}`);
}

export async function startWardgate(config: Config, options: StartOptions = {}): Promise<Wardgate> {
  const loggers = options.loggers ?? createLoggers(config.dataDir, config.log);
  const log = loggers.app;
  const lists = await loadListsSnapshot(config);
  logDiagnostics(log, lists.diagnostics);

  const db = openDatabase(config.dataDir);
  const directory = new DirectoryStore(db);
  const snapshots = new SnapshotHolder({ classifier: lists.classifier, policy: lists.policy, directory: directory.snapshot(), grants: new Map() });
  const watcher = watchDatabase(db, STORE_POLL_MS, () => {
    snapshots.update({ directory: directory.snapshot() });
    log.info({ snapshot: snapshots.current.version }, 'member directory reloaded');
  });

  const upstream = new Upstream({ parentProxy: config.parentProxy, resolve: config.resolve, ...config.limits });
  const proxy = createProxyServer({
    snapshots,
    identify: createIdentifier({ verifyPassword, cacheTtlMs: 5 * 60_000, cacheSize: 10_000, maxFailures: 20, failureWindowMs: 5 * 60_000 }),
    decisionLog: loggers.decisions,
    appLog: log,
    now: options.now ?? Date.now,
    upstream,
    connectPorts: new Set(config.connectPorts),
    limits: config.limits,
    tunnels: new Set(),
    inFlight: { count: 0 },
  });
  const address = await proxy.listen(config.listen);
  const stats = lists.classifier.stats;
  log.info({ address, categoriesDir: config.categoriesDir, ...stats, members: snapshots.current.directory.members.size }, 'wardgate listening');
  if (snapshots.current.directory.members.size === 0) {
    log.warn('no members in the directory yet, so every request will be refused (407): add them with `wardgate groups add` and `wardgate members add`');
  }

  const reloader = createListReloader({
    snapshots,
    log,
    build: () => loadListsSnapshot(config),
    watchDirs: [config.categoriesDir, join(config.dataDir, 'lists', 'imported')],
    debounceMs: LIST_CHANGE_DEBOUNCE_MS,
    servingDiagnostics: lists.diagnostics,
  });
  reloader.watch();

  async function stop(): Promise<void> {
    reloader.stop();
    watcher.stop();
    await proxy.close(config.limits.shutdownGraceMs);
    await upstream.close().catch(() => upstream.destroy());
    db.close();
    loggers.flush();
  }

  return { address, snapshots, loggers, reloadLists: (trigger) => reloader.reload(trigger), stop };
}
