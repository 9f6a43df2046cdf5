/**
 * ListReloader: replaces the category lists in the running proxy without a
 * pause. Triggers: SIGHUP, a file change under the category folders or the
 * imported lists (debounced), `wardgate lists update` (which writes the
 * imported folder, so the watcher sees it), or a direct call (admin API).
 *
 * The build runs off the request path (`build` is handed in: a worker thread
 * in production) and the result is swapped in with one assignment, so
 * requests in flight keep the snapshot they started with. New lists with a
 * new problem (a bad line, an unreadable file) never replace good ones: the
 * old lists keep serving and every problem is logged with its file and line.
 * Problems the serving lists already had (skipped at start-up, e.g. a
 * category with no folder) are not new and do not block a reload.
 * Triggers that arrive during a build are coalesced into one more build.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { ListsSnapshot } from '../compose.ts';
import { formatDiagnostic } from '../compose.ts';
import type { ListDiagnostic } from '../lists/load-categories.ts';
import type { SnapshotHolder } from '../pipeline/runtime-snapshot.ts';

export interface ListReloaderOptions {
  readonly snapshots: SnapshotHolder;
  readonly log: Logger;
  /** Builds fresh lists off the request path; rejects when none can be loaded. */
  readonly build: () => Promise<ListsSnapshot>;
  /** Folders whose changes trigger a reload (those missing are not watched: see `retryEveryMs`). */
  readonly watchDirs: readonly string[];
  /** Quiet time after the last file change before rebuilding (editors write in bursts). */
  readonly debounceMs: number;
  /**
   * Problems of the lists serving now (known, so not a reason to refuse a
   * reload); null when no lists are serving (block-all), so any lists that
   * load are better than none.
   */
  readonly servingDiagnostics: readonly ListDiagnostic[] | null;
}

export type ReloadOutcome = 'reloaded' | 'rejected' | 'failed';

export interface ListReloader {
  /** Rebuilds now (or after the build in progress); resolves with what happened. */
  reload(trigger: string): Promise<ReloadOutcome>;
  /** Starts watching the folders. */
  watch(): void;
  stop(): void;
}

const MAX_LOGGED_PROBLEMS = 50;

/** Line numbers are left out: an edit above a known problem moves it without making it new. */
function problemKey(d: ListDiagnostic): string {
  return `${d.file}\0${d.message}`;
}

export function createListReloader(options: ListReloaderOptions): ListReloader {
  const { snapshots, log } = options;
  let running: Promise<ReloadOutcome> | null = null;
  let queued: Promise<ReloadOutcome> | null = null;
  let timer: NodeJS.Timeout | null = null;
  const watchers: FSWatcher[] = [];
  let known: Set<string> | null = options.servingDiagnostics === null ? null : new Set(options.servingDiagnostics.map(problemKey));

  async function buildAndSwap(trigger: string): Promise<ReloadOutcome> {
    const started = performance.now();
    let next: ListsSnapshot;
    try {
      next = await options.build();
    } catch (error) {
      log.error({ err: error, trigger }, 'category lists could not be rebuilt; the previous lists keep serving');
      return 'failed';
    }
    const seen = known;
    const fresh = seen === null ? [] : next.diagnostics.filter((d) => !seen.has(problemKey(d)));
    if (fresh.length > 0) {
      for (const d of fresh.slice(0, MAX_LOGGED_PROBLEMS)) log.error({ file: d.file, line: d.line }, `category lists: ${formatDiagnostic(d)}`);
      log.error(
        { trigger, problems: fresh.length },
        'new category lists have problems and were not loaded; the previous lists keep serving until they are fixed',
      );
      return 'rejected';
    }
    snapshots.update({ classifier: next.classifier, policy: next.policy });
    known = new Set(next.diagnostics.map(problemKey));
    const ms = Math.round(performance.now() - started);
    log.info({ trigger, snapshot: snapshots.current.version, buildMs: ms, ...next.classifier.stats }, 'category lists reloaded');
    return 'reloaded';
  }

  function reload(trigger: string): Promise<ReloadOutcome> {
    if (running === null) {
      running = buildAndSwap(trigger).finally(() => {
        running = null;
      });
      return running;
    }
    // One more build after the current one covers every trigger that arrived meanwhile.
    queued ??= running.then(() => {
      queued = null;
      return reload(trigger);
    });
    return queued;
  }

  function schedule(trigger: string): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void reload(trigger);
    }, options.debounceMs);
    timer.unref();
  }

  return {
    reload,
    watch() {
      for (const dir of options.watchDirs) {
        if (!existsSync(dir)) continue;
        const watcher = watch(dir, { recursive: true }, (_event, file) => schedule(`file change: ${file ?? dir}`));
        watcher.on('error', (error) => log.warn({ err: error, dir }, 'cannot watch the category lists for changes; use SIGHUP to reload'));
        watcher.unref();
        watchers.push(watcher);
      }
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers.length = 0;
    },
  };
}
