/**
 * load-categories: a categories folder on disk → category metadata, the
 * ClassifierInput the classifier is compiled from, and every problem found.
 *
 *   <root>/<category-id>/{meta.json, domains, urls, keywords}
 *   <root>/<category-id>/<sub-list>/{meta.json, domains, urls, keywords}   list id `<category>/<sub-list>`
 *   <root>/_trusted/domains        trusted sites
 *   <root>/_exceptions/keywords    words no keyword may match
 *
 * Only a root that cannot be read at all is fatal (WF_ERR_NO_INDEX: fail
 * closed, there is nothing to filter with). Everything else, a bad line, a
 * bad or missing meta.json, an unknown folder or file, a missing category,
 * becomes a ListDiagnostic and the rest loads. Every known category (14 core
 * plus 3 optional, src/policy/categories.ts) gets a CategoryMeta even when
 * its folder is missing, so policy always knows all of them. Output order is
 * fixed (category order of categories.ts, sub-lists by name), whatever order
 * the file system lists things in.
 *
 * The same reader loads an imported tree (src/lists/load-all-lists.ts) with
 * `partial`: such a tree holds only the categories its source maps to and
 * has no category meta.json (the council's own metadata always wins), so
 * neither is a problem there; `listIdPrefix`/`filePrefix` keep its list ids
 * and file names apart from the council's (`ut1:pornography/adult`,
 * `ut1/pornography/adult/domains`).
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ClassifierInput, ListInput, ListSource } from '../classify/list-input.ts';
import { WfError } from '../errors.ts';
import { ALL_CATEGORY_IDS, isCategoryId, isOptionalCategory } from '../policy/categories.ts';
import { parseDomainColumns, parseDomainList, parseExceptionList, parseKeywordList, parseUrlList, type ListDiagnostic } from './parse-list.ts';

export type { ListDiagnostic };

export interface SubListMeta {
  /** `<category>/<sub-list>`, e.g. `illegal/child-abuse`. */
  readonly id: string;
  readonly category: string;
  readonly description: string;
  /** Effective: false when the sub-list or its category is non-grantable. */
  readonly grantable: boolean;
}

export interface CategoryMeta {
  readonly id: string;
  readonly title: string;
  readonly definition: string;
  readonly optional: boolean;
  readonly grantable: boolean;
  readonly subLists: readonly SubListMeta[];
}

export interface LoadedCategories {
  readonly categories: readonly CategoryMeta[];
  readonly input: ClassifierInput;
  readonly diagnostics: readonly ListDiagnostic[];
}

export interface LoadCategoriesOptions {
  /** Recorded on every list and its matches: 'local' (default) or 'imported'. */
  source?: ListSource;
  /** Put before every list id, e.g. `ut1:` (default ""). */
  listIdPrefix?: string;
  /** Put before every file name in entries and diagnostics, e.g. `ut1/` (default ""). */
  filePrefix?: string;
  /**
   * An imported tree: missing category folders and meta.json files are not
   * problems, and category meta.json files are not read (default false).
   */
  partial?: boolean;
}

/** Where and how one tree is read; file names in results are `filePrefix` + the path below `root`. */
interface Ctx {
  readonly root: string;
  readonly source: ListSource;
  readonly listIdPrefix: string;
  readonly filePrefix: string;
  readonly partial: boolean;
}

const TRUSTED = '_trusted';
const EXCEPTIONS = '_exceptions';
const LIST_FILES = new Set(['meta.json', 'domains', 'urls', 'keywords']);
const SUB_LIST_NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

interface Loaded {
  readonly lists: ListInput[];
  readonly diagnostics: ListDiagnostic[];
}

/** Reads `<root>/<rel>`; null when absent, a diagnostic when unreadable. */
async function readOptional(root: string, rel: string, diagnostics: ListDiagnostic[]): Promise<string | null> {
  try {
    // One Buffer decoded at once, not readFile(…, 'utf8'): that decodes chunk by chunk into a
    // rope, and charCodeAt over UT1 adult's 125 MB rope ran at 560 ms a pass against 240 ms
    // over the flat string this gives (parsing and building the index walk it three times).
    return (await readFile(path.join(root, rel))).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') diagnostics.push({ file: rel, line: 0, message: `cannot read file (${code ?? String(err)})` });
    return null;
  }
}

type FieldType = 'string' | 'boolean';

/**
 * Reads a meta.json, keeping only the known keys with the right type; every
 * other problem is a diagnostic and the caller's default applies.
 */
async function readMeta(
  root: string,
  rel: string,
  fields: Readonly<Record<string, FieldType>>,
  diagnostics: ListDiagnostic[],
): Promise<Partial<Record<string, string | boolean>>> {
  const before = diagnostics.length;
  const text = await readOptional(root, rel, diagnostics);
  if (text === null) {
    if (diagnostics.length === before) diagnostics.push({ file: rel, line: 0, message: 'meta.json missing: defaults used' });
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    diagnostics.push({ file: rel, line: 0, message: `invalid JSON (${(err as Error).message}): defaults used` });
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    diagnostics.push({ file: rel, line: 0, message: 'meta.json must hold a JSON object: defaults used' });
    return {};
  }
  const meta: Partial<Record<string, string | boolean>> = {};
  for (const [key, field] of Object.entries(value)) {
    const type = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (type === undefined) diagnostics.push({ file: rel, line: 0, message: `unknown key "${key}" ignored` });
    else if (typeof field !== type) diagnostics.push({ file: rel, line: 0, message: `"${key}" must be a ${type}: default used` });
    else meta[key] = field as string | boolean;
  }
  return meta;
}

async function listFolder(root: string, rel: string): Promise<Dirent[]> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** listFolder below the root: an unreadable folder is a diagnostic, not a failed load. */
async function listSubFolder(root: string, rel: string, diagnostics: ListDiagnostic[]): Promise<Dirent[]> {
  try {
    return await listFolder(root, rel);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    diagnostics.push({ file: rel, line: 0, message: `cannot read folder (${code ?? String(err)}): skipped` });
    return [];
  }
}

async function isFolder(root: string, rel: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return stat(path.join(root, rel)).then((s) => s.isDirectory(), () => false);
}

/** Reads one list's domains, urls and keywords files (each optional). */
async function readList(ctx: Ctx, folder: string, base: Omit<ListInput, 'domains' | 'urls' | 'keywords' | 'source'>): Promise<Loaded> {
  const diagnostics: ListDiagnostic[] = [];
  const [domainText, urlText, keywordText] = await Promise.all(
    ['domains', 'urls', 'keywords'].map((name) => readOptional(ctx.root, `${folder}/${name}`, diagnostics)),
  );
  const file = `${ctx.filePrefix}${folder}`;
  const domains = parseDomainColumns(domainText ?? '', `${file}/domains`);
  const urls = parseUrlList(urlText ?? '', `${file}/urls`);
  const keywords = parseKeywordList(keywordText ?? '', `${file}/keywords`);
  // readOptional names files below the root; the parsers already carry the prefix.
  const all = [...prefixed(ctx, diagnostics), ...domains.diagnostics, ...urls.diagnostics, ...keywords.diagnostics];
  const list: ListInput = { ...base, id: ctx.listIdPrefix + base.id, source: ctx.source, domains: domains.entries, urls: urls.entries, keywords: keywords.entries };
  return { lists: [list], diagnostics: all };
}

function prefixed(ctx: Ctx, diagnostics: readonly ListDiagnostic[]): ListDiagnostic[] {
  return ctx.filePrefix === '' ? [...diagnostics] : diagnostics.map((d) => ({ ...d, file: ctx.filePrefix + d.file }));
}

async function loadSubList(ctx: Ctx, category: CategoryMeta, name: string): Promise<Loaded & { meta: SubListMeta }> {
  const { root } = ctx;
  const folder = `${category.id}/${name}`;
  const diagnostics: ListDiagnostic[] = [];
  const metaProblems: ListDiagnostic[] = [];
  const raw = await readMeta(root, `${folder}/meta.json`, { description: 'string', grantable: 'boolean' }, metaProblems);
  // An imported sub-list may come without meta.json: it is then grantable like its category.
  diagnostics.push(...(ctx.partial ? metaProblems.filter((d) => !d.message.startsWith('meta.json missing')) : metaProblems));
  const meta: SubListMeta = {
    id: folder,
    category: category.id,
    description: typeof raw.description === 'string' ? raw.description : '',
    grantable: category.grantable && raw.grantable !== false,
  };
  const loaded = await readList(ctx, folder, { id: folder, category: category.id, grantable: meta.grantable });
  for (const entry of await listSubFolder(root, folder, diagnostics)) {
    if (await isFolder(root, `${folder}/${entry.name}`, entry)) {
      diagnostics.push({ file: `${folder}/${entry.name}`, line: 0, message: 'sub-lists cannot be nested: folder skipped' });
    } else if (!LIST_FILES.has(entry.name)) {
      diagnostics.push({ file: `${folder}/${entry.name}`, line: 0, message: 'unknown file ignored (expected meta.json, domains, urls, keywords)' });
    }
  }
  return { lists: loaded.lists, diagnostics: [...prefixed(ctx, diagnostics), ...loaded.diagnostics], meta };
}

function defaultMeta(id: string): CategoryMeta {
  return { id, title: id, definition: '', optional: isOptionalCategory(id), grantable: true, subLists: [] };
}

async function readCategoryMeta(root: string, id: string, diagnostics: ListDiagnostic[]): Promise<CategoryMeta> {
  const fields = { title: 'string', definition: 'string', optional: 'boolean', grantable: 'boolean' } as const;
  const raw = await readMeta(root, `${id}/meta.json`, fields, diagnostics);
  const optional = isOptionalCategory(id);
  if (typeof raw.optional === 'boolean' && raw.optional !== optional) {
    diagnostics.push({ file: `${id}/meta.json`, line: 0, message: `"optional" must be ${String(optional)} for this category (set in src/policy/categories.ts); using ${String(optional)}` });
  }
  return {
    id,
    title: typeof raw.title === 'string' && raw.title.length > 0 ? raw.title : id,
    definition: typeof raw.definition === 'string' ? raw.definition : '',
    optional,
    grantable: raw.grantable !== false,
    subLists: [],
  };
}

async function loadCategory(ctx: Ctx, id: string): Promise<Loaded & { meta: CategoryMeta }> {
  const { root } = ctx;
  const diagnostics: ListDiagnostic[] = [];
  const meta = ctx.partial ? defaultMeta(id) : await readCategoryMeta(root, id, diagnostics);
  const own = await readList(ctx, id, { id, category: id, grantable: meta.grantable });
  const lists = [...own.lists];
  const ownDiagnostics = own.diagnostics;
  const subLists: SubListMeta[] = [];
  for (const entry of await listSubFolder(root, id, diagnostics)) {
    const rel = `${id}/${entry.name}`;
    if (!(await isFolder(root, rel, entry))) {
      if (!LIST_FILES.has(entry.name)) diagnostics.push({ file: rel, line: 0, message: 'unknown file ignored (expected meta.json, domains, urls, keywords or a sub-list folder)' });
    } else if (!SUB_LIST_NAME_RE.test(entry.name)) {
      diagnostics.push({ file: rel, line: 0, message: 'sub-list folder names are lower-case letters, digits and hyphens: folder skipped' });
    } else {
      const sub = await loadSubList(ctx, meta, entry.name);
      subLists.push(sub.meta);
      lists.push(...sub.lists);
      ownDiagnostics.push(...sub.diagnostics);
    }
  }
  return { meta: { ...meta, subLists }, lists, diagnostics: [...prefixed(ctx, diagnostics), ...ownDiagnostics] };
}

async function assertRoot(root: string): Promise<Dirent[]> {
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
    return await listFolder(root, '.');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new WfError('WF_ERR_NO_INDEX', `category lists folder "${root}" cannot be read (${why}): refusing to run without lists`, { cause: err });
  }
}

/**
 * Loads every list under `root`. Throws WF_ERR_NO_INDEX only when `root`
 * is missing, not a folder or unreadable.
 */
export async function loadCategories(root: string, options: LoadCategoriesOptions = {}): Promise<LoadedCategories> {
  const ctx: Ctx = {
    root,
    source: options.source ?? 'local',
    listIdPrefix: options.listIdPrefix ?? '',
    filePrefix: options.filePrefix ?? '',
    partial: options.partial ?? false,
  };
  const diagnostics: ListDiagnostic[] = [];
  const present = new Set<string>();
  for (const entry of await assertRoot(root)) {
    if (!(await isFolder(root, entry.name, entry))) continue;
    if (entry.name === TRUSTED || entry.name === EXCEPTIONS || isCategoryId(entry.name)) present.add(entry.name);
    else diagnostics.push({ file: ctx.filePrefix + entry.name, line: 0, message: `"${entry.name}" is not a known category id: folder skipped` });
  }
  const loaded = await Promise.all(
    ALL_CATEGORY_IDS.map(async (id): Promise<Loaded & { meta: CategoryMeta }> => {
      if (present.has(id)) return loadCategory(ctx, id);
      const missing = { file: ctx.filePrefix + id, line: 0, message: 'category folder missing: nothing will be classified in this category' };
      return { meta: defaultMeta(id), lists: [], diagnostics: ctx.partial ? [] : [missing] };
    }),
  );
  const special = await loadSpecial(ctx, present);
  for (const category of loaded) diagnostics.push(...category.diagnostics);
  diagnostics.push(...special.diagnostics);
  return {
    categories: loaded.map((c) => c.meta),
    input: { lists: loaded.flatMap((c) => c.lists), trustedHosts: special.trustedHosts, exceptionWords: special.exceptionWords },
    diagnostics,
  };
}

/** `_trusted/domains` and `_exceptions/keywords`; both optional. */
async function loadSpecial(
  ctx: Ctx,
  present: ReadonlySet<string>,
): Promise<{ trustedHosts: string[]; exceptionWords: string[]; diagnostics: ListDiagnostic[] }> {
  const { root } = ctx;
  const diagnostics: ListDiagnostic[] = [];
  const trustedText = present.has(TRUSTED) ? await readOptional(root, `${TRUSTED}/domains`, diagnostics) : null;
  const exceptionText = present.has(EXCEPTIONS) ? await readOptional(root, `${EXCEPTIONS}/keywords`, diagnostics) : null;
  for (const [folder, expected] of [[TRUSTED, 'domains'], [EXCEPTIONS, 'keywords']] as const) {
    if (!present.has(folder)) continue;
    for (const entry of await listSubFolder(root, folder, diagnostics)) {
      if (entry.name !== expected) diagnostics.push({ file: `${folder}/${entry.name}`, line: 0, message: `ignored: only "${expected}" is read here` });
    }
  }
  const trusted = parseDomainList(trustedText ?? '', `${ctx.filePrefix}${TRUSTED}/domains`);
  const exceptions = parseExceptionList(exceptionText ?? '', `${ctx.filePrefix}${EXCEPTIONS}/keywords`);
  return {
    trustedHosts: trusted.entries.map((d) => d.host),
    exceptionWords: exceptions.entries,
    diagnostics: [...prefixed(ctx, diagnostics), ...trusted.diagnostics, ...exceptions.diagnostics],
  };
}
