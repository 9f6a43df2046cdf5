/**
 * Builders the composition roots (src/main.ts for `serve`, the CLI commands)
 * share, so that `wardgate classify` runs exactly the classifier and policy
 * the proxy runs.
 *
 * Lists reach a classifier by one of two roads, with the same result: the
 * compiled index file in the data dir when it is fresh (fast: zero-copy
 * load), or loading and compiling the list folders (slow at UT1 scale: done
 * in a worker thread by `serve`, which then writes the file for next time).
 */
import { createClassifier, type Classifier } from './classify/classifier.ts';
import type { Config } from './config/config.ts';
import { WfError } from './errors.ts';
import { compileInWorker } from './lists/compile-in-worker.ts';
import {
  compileLists,
  compiledIndexPath,
  openCompiledLists,
  readFreshCompiledLists,
  readFreshIndexFile,
  serialiseCompiledLists,
  sourcesFor,
  writeCompiledLists,
  type CompiledLists,
  type IndexFileProblem,
} from './lists/compiled-lists.ts';
import type { ListDiagnostic } from './lists/load-categories.ts';
import { buildPolicy } from './policy/build-policy.ts';
import type { Policy } from './policy/policy-model.ts';

export interface ListsSnapshot {
  readonly classifier: Classifier;
  readonly policy: Policy;
  readonly diagnostics: readonly ListDiagnostic[];
  /** How the lists were obtained: from the index file, compiled from the folders, or not at all (block-all). */
  readonly origin: 'index-file' | 'compiled' | 'unavailable';
}

type ListsConfig = Pick<Config, 'categoriesDir' | 'categories' | 'classifyCacheSize'> & Partial<Pick<Config, 'dataDir'>>;

/** The classifier and policy over compiled lists, as every composition root builds them. */
export function snapshotOf(lists: CompiledLists, config: Pick<Config, 'categories' | 'classifyCacheSize'>, origin: ListsSnapshot['origin']): ListsSnapshot {
  return {
    classifier: createClassifier(lists.index, { cacheSize: config.classifyCacheSize }),
    policy: buildPolicy(lists.categories, config.categories),
    diagnostics: lists.diagnostics,
    origin,
  };
}

/**
 * The lists for a command: the fresh index file when there is one, else the
 * folders compiled here (the categories folder, plus the imported lists in
 * `<dataDir>/lists/imported` when `dataDir` is given). Bad lines are skipped
 * and returned as diagnostics; a missing categories root throws
 * WF_ERR_NO_INDEX (fail closed: nothing runs without lists). Never writes.
 */
export async function loadListsSnapshot(config: ListsConfig): Promise<ListsSnapshot> {
  const sources = sourcesFor(config);
  if (config.dataDir !== undefined) {
    const fresh = await readFreshCompiledLists(compiledIndexPath(config.dataDir), sources);
    if (fresh !== null) return snapshotOf(fresh, config, 'index-file');
  }
  return snapshotOf(await compileLists(sources), config, 'compiled');
}

/** The lists as index-file bytes in shared memory, for worker threads to open without a copy each. */
export interface SharedLists {
  readonly bytes: Uint8Array;
  /** The bytes' checksum, verified here; undefined when the worker should compute it. */
  readonly checksum: number | undefined;
  readonly diagnostics: readonly ListDiagnostic[];
}

/**
 * loadListsSnapshot() for worker threads (`classify --stdin --jobs`): the
 * fresh index file read into a SharedArrayBuffer and checked (header,
 * length, checksum), or else the folders compiled here and serialised into
 * one. Nothing is opened or built here: each worker opens the shared bytes
 * (checking their structure) and builds its own classifier, so the main
 * thread hands them over ≈100–170 ms sooner (measured with UT1).
 */
export async function loadSharedLists(config: ListsConfig): Promise<SharedLists> {
  const sources = sourcesFor(config);
  if (config.dataDir !== undefined) {
    const fresh = await readFreshIndexFile(compiledIndexPath(config.dataDir), sources, { shared: true });
    if (fresh !== null) return { bytes: fresh.bytes, checksum: fresh.checksum, diagnostics: fresh.description.diagnostics };
  }
  const compiled = await compileLists(sources);
  const serialised = serialiseCompiledLists(compiled);
  const bytes = new Uint8Array(new SharedArrayBuffer(serialised.length));
  bytes.set(serialised);
  return { bytes, checksum: undefined, diagnostics: compiled.diagnostics };
}

/**
 * Compiles the lists in a worker thread, writes the index file for the next
 * start, and opens it. What `serve` uses for a stale file and every reload.
 */
export async function rebuildListsSnapshot(config: ListsConfig & Pick<Config, 'dataDir'>): Promise<ListsSnapshot> {
  const bytes = await compileInWorker(sourcesFor(config));
  await writeCompiledLists(compiledIndexPath(config.dataDir), bytes);
  // The rest runs on the main thread while requests wait. With UT1 (index format 2, whose URL rules
  // are arrays too) it is ≈2 ms to open and 25–40 ms for the classifier, 15 of them lru-cache
  // allocating its arrays for 100,000 hosts; format 1 took 130–340 ms here.
  return snapshotOf(openCompiledLists(bytes, undefined, { checked: true }), config, 'compiled');
}

/**
 * `serve` at start-up: the index file when fresh, else a rebuild (which
 * writes it); `onRebuild` is told why before the rebuild starts.
 */
export async function servingListsSnapshot(config: ListsConfig & Pick<Config, 'dataDir'>, onRebuild?: (problem: IndexFileProblem) => void): Promise<ListsSnapshot> {
  const fresh = await readFreshCompiledLists(compiledIndexPath(config.dataDir), sourcesFor(config), onRebuild === undefined ? {} : { onUnusable: onRebuild });
  return fresh === null ? rebuildListsSnapshot(config) : snapshotOf(fresh, config, 'index-file');
}

/**
 * Stand-in lists for a proxy that must fail closed without any: classify()
 * throws, so evaluate() blocks every request as an internal error.
 */
export function unavailableListsSnapshot(cause: unknown): ListsSnapshot {
  const reason = (cause as Error | null)?.message ?? String(cause);
  return {
    classifier: {
      classify() {
        throw new WfError('WF_ERR_NO_INDEX', `no category lists are loaded (${reason})`);
      },
      stats: Object.freeze({ domains: 0, urls: 0, keywords: 0, lists: 0 }),
    },
    policy: buildPolicy([], {}),
    diagnostics: [],
    origin: 'unavailable',
  };
}

export function formatDiagnostic(d: ListDiagnostic): string {
  return d.line > 0 ? `${d.file}:${d.line}: ${d.message}` : `${d.file}: ${d.message}`;
}
