/**
 * import-lists: `wardgate lists import` and `update` — public blocklists
 * (UT1 or squidGuard folders and archives, hosts files, plain lists, local or
 * downloaded) → one imported tree in the categories/ layout, published
 * atomically (publish-import.ts) so that a failed import changes nothing.
 *
 *   <tree>/<council-category>/<list>/domains, urls, meta.json
 *   <tree>/_trusted/domains             lists the map marks "trusted"
 *   <tree>/source.json                  what was imported, from where, when, how many
 *
 * Each source list becomes a sub-list named after it (`adult`,
 * `dangerous-material`) in every council category the map gives it, so a
 * match names the import, the category and the source list. Lists the map
 * skips or does not name, regular-expression files and aliases are skipped
 * with a note. Entries are normalised by parse-list.ts; bad lines are
 * counted and sampled, never fatal. An import that finds no entry at all
 * (an HTML error page saved as a list, the wrong --format) fails.
 *
 * URL sources are fetched by the `download` function the caller hands in
 * (src/cli/lists-download.ts): src/lists does no network I/O itself.
 */
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isWfError, WfError } from '../errors.ts';
import { IMPORT_NAME_RE } from './load-all-lists.ts';
import { allToMap, DEFAULT_UT1_MAP, identityMap, readImportMap, type ImportMap } from './import-map.ts';
import { fileListName, importSingleFile, importTreeFile, ImportState, skippedNotes, type ImportedFile } from './import-state.ts';
import { openSource, type SourceKind } from './list-source.ts';
import { createStaging, currentVersion, lockImport, publishImport, pruneVersions, type ImportPlace } from './publish-import.ts';

export type { ImportedFile };

export const IMPORT_FORMATS = ['ut1', 'squidguard', 'hosts', 'plain'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Default cap on decompressed bytes read from one source: UT1 in full is a few hundred MiB. */
export const DEFAULT_MAX_IMPORT_BYTES = 2 * 2 ** 30;

export interface ImportRequest {
  readonly name: string;
  /** Folders, archives, list files or http(s) URLs. */
  readonly sources: readonly string[];
  /** Default: `ut1` for a folder or archive, hosts or plain (by content) for one file. */
  readonly format?: ImportFormat | undefined;
  /** Map file; default categories/ut1-map.json for ut1, folder names for squidguard. */
  readonly map?: string | undefined;
  /** For a single hosts or plain list: the council categories its entries go into. */
  readonly categories?: readonly string[] | undefined;
  readonly place: ImportPlace;
  /** Saves an http(s) URL to `dest`; URL sources are refused without it. */
  readonly download?: ((url: string, dest: string) => Promise<void>) | undefined;
  /** Most decompressed bytes read from each source (default DEFAULT_MAX_IMPORT_BYTES). */
  readonly maxBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

export interface ImportResult {
  readonly name: string;
  readonly into: string;
  /** The version folder `into` now points to. */
  readonly version: string;
  readonly map: string;
  readonly files: readonly ImportedFile[];
  /** Lists not imported, with the reason (the map's, or "not in the map"). */
  readonly skipped: readonly { readonly list: string; readonly why: string }[];
  readonly notes: readonly string[];
  /** The first few bad lines, `file:line: message`. */
  readonly badSamples: readonly string[];
  readonly totals: { readonly entries: number; readonly bad: number; readonly ignored: number };
}

const URL_RE = /^https?:\/\//i;

/** A source as shown in messages and source.json: a URL's user name and password hidden. */
export function redactSource(source: string): string {
  if (!URL_RE.test(source)) return source;
  try {
    const url = new URL(source);
    if (url.username === '' && url.password === '') return source;
    url.username = '***';
    url.password = '';
    return url.href;
  } catch {
    return source;
  }
}

function usage(message: string): WfError {
  return new WfError('WF_ERR_USAGE', message);
}

interface MapChoice {
  readonly tree: ImportMap | undefined;
  readonly single: ImportMap | undefined;
}

/** Validates flags that do not depend on what the sources turn out to be; reads the map. */
async function chooseMaps(request: ImportRequest): Promise<MapChoice> {
  const { format, map, categories = [] } = request;
  if (map !== undefined && categories.length > 0) throw usage('give --map or --category, not both');
  const custom = map === undefined ? undefined : await readImportMap(map);
  const single = categories.length > 0 ? allToMap(categories) : custom;
  const tree = categories.length > 0 ? undefined : (custom ?? (format === 'squidguard' ? identityMap() : await readImportMap(DEFAULT_UT1_MAP)));
  return { tree, single };
}

async function localPath(request: ImportRequest, source: string, index: number): Promise<{ file: string; downloaded: boolean }> {
  if (!URL_RE.test(source)) return { file: path.resolve(source), downloaded: false };
  if (request.download === undefined) throw usage(`cannot download ${redactSource(source)} here`);
  const dest = path.join(request.place.versionsDir, `.${request.name}.download-${index}-${process.pid}`);
  await request.download(source, dest);
  return { file: dest, downloaded: true };
}

async function importSource(state: ImportState, request: ImportRequest, maps: MapChoice, source: string, index: number): Promise<Record<string, unknown>> {
  const label = redactSource(source);
  const local = await localPath(request, source, index);
  try {
    const opened = await openSource(local.file, { label, maxBytes: request.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES });
    const tree = opened.kind !== 'file';
    const format = request.format ?? (tree ? 'ut1' : undefined);
    if (tree && (format === 'hosts' || format === 'plain')) throw usage(`--format ${format} reads one list file, but ${label} is a ${opened.kind}`);
    if (!tree && (format === 'ut1' || format === 'squidguard')) {
      throw usage(`--format ${format} needs a folder or an archive of lists, but ${label} is one file: use --format plain or hosts with --category ID`);
    }
    if (tree && maps.tree === undefined) throw usage(`--category is for a single list file, but ${label} is a ${opened.kind}: use --map FILE`);
    if (!tree && maps.single === undefined) {
      throw usage(`${label} is a single list: name the council categories its entries block with --category ID (or give --map FILE)`);
    }
    const listName = fileListName(URL_RE.test(source) ? path.posix.basename(new URL(source).pathname) : path.basename(local.file));
    const map = (tree ? maps.tree : maps.single)!;
    state.maps.add(map.origin);
    for await (const file of opened.files) {
      if (tree) await importTreeFile(state, map, label, file);
      else await importSingleFile(state, map, label, file, listName, format === 'hosts' || format === 'plain' ? format : 'auto');
    }
    state.notes.push(...opened.notes);
    const kind: SourceKind = opened.kind;
    return { source: label, kind, format: format ?? 'auto' };
  } finally {
    if (local.downloaded) await rm(local.file, { force: true });
  }
}

async function writeMetadata(state: ImportState, staging: string, sources: Record<string, unknown>[], now: Date, attribution: string | undefined): Promise<ImportResult['totals']> {
  for (const [folder, held] of state.subLists) {
    if (!state.out.has(`${folder}/domains`) && !state.out.has(`${folder}/urls`)) continue;
    const description = `${state.name}: ${held.source} list "${held.list}" (${held.entry.categories.join(', ')}): ${held.entry.why}`;
    await writeFile(path.join(staging, folder, 'meta.json'), `${JSON.stringify({ description, grantable: true }, null, 2)}\n`);
  }
  const totals = { entries: 0, bad: 0, ignored: 0 };
  for (const f of state.files) {
    totals.entries += f.entries;
    totals.bad += f.bad;
    totals.ignored += f.ignored;
  }
  const record = {
    importedBy: 'wardgate lists import',
    name: state.name,
    importedAt: now.toISOString(),
    map: [...state.maps].join('; '),
    attribution: attribution ?? null,
    sources,
    totals,
    files: state.files,
    skipped: skippedNotes(state),
    notes: state.notes,
    badSamples: state.badSamples,
  };
  await writeFile(path.join(staging, 'source.json'), `${JSON.stringify(record, null, 2)}\n`);
  return totals;
}

async function runImport(request: ImportRequest, maps: MapChoice, staging: string, now: Date): Promise<Omit<ImportResult, 'version' | 'into'>> {
  const state = new ImportState(request.name, staging);
  const sources: Record<string, unknown>[] = [];
  try {
    for (const [index, source] of request.sources.entries()) sources.push(await importSource(state, request, maps, source, index));
  } finally {
    await state.out.closeAll();
  }
  const attribution = maps.tree?.attribution ?? maps.single?.attribution;
  const totals = await writeMetadata(state, staging, sources, now, attribution);
  if (totals.entries === 0) {
    const skipped = skippedNotes(state).slice(0, 5).map((s) => `${s.list} (${s.why})`).join(', ');
    throw new WfError('WF_ERR_LIST_INVALID', `found no list entries in ${request.sources.map(redactSource).join(', ')}${skipped === '' ? '' : `; skipped: ${skipped}`} (the wrong format, or an error page instead of a list?)`);
  }
  const map = [...state.maps].join('; ');
  return { name: request.name, map, files: state.files, skipped: skippedNotes(state), notes: state.notes, badSamples: state.badSamples, totals };
}

/**
 * Imports `request.sources` and publishes them as `request.place.into`.
 * On any failure the previous import stays in place and the error says so.
 */
export async function importLists(request: ImportRequest): Promise<ImportResult> {
  if (!IMPORT_NAME_RE.test(request.name)) {
    throw usage(`import name "${request.name}" must be lower-case letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit`);
  }
  if (request.sources.length === 0) throw usage('name at least one source (a folder, an archive, a list file or an http(s) URL)');
  const maps = await chooseMaps(request);
  const now = (request.now ?? (() => new Date()))();
  const release = await lockImport(request.place);
  let staging: string | undefined;
  const previous = await currentVersion(request.place);
  try {
    staging = await createStaging(request.place);
    const result = await runImport(request, maps, staging, now);
    const version = await publishImport(request.place, staging, now);
    staging = undefined;
    await pruneVersions(request.place, [version, previous]);
    return { ...result, into: request.place.into, version };
  } catch (err) {
    // A file-system fault (disk full, permissions) is reported like any other failed import.
    const errno = !isWfError(err) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
    const failed = errno ? new WfError('WF_ERR_STORE', `cannot write the import (${(err as Error).message})`, { cause: err }) : err;
    if (!isWfError(failed) || failed.code === 'WF_ERR_USAGE' || failed.code === 'WF_ERR_CONFLICT') throw failed;
    const kept = previous !== null ? 'the lists imported before stay in use' : 'nothing was imported';
    throw new WfError(failed.code, `import "${request.name}" failed: ${failed.message}; ${kept}`, { cause: err });
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    await release();
  }
}
