/**
 * load-all-lists: the council's own category folder plus every imported tree
 * (`wardgate lists import`) → one LoadedCategories for the classifier.
 *
 *   <categoriesDir>/…                       the council's lists: source 'local'
 *   <dataDir>/lists/imported/<name>/…       one tree per import: source 'imported'
 *
 * An imported tree has the categories/ layout (src/lists/import-lists.ts
 * writes it), with each source list as a sub-list: list ids are
 * `<name>:<category>/<list>` (e.g. `ut1:pornography/adult`) and RuleMatch
 * files are relative to the imported root (`ut1/pornography/adult/domains`),
 * so a decision names the import, the council category and the source list.
 *
 * The council's metadata always wins: titles, definitions, `optional` and
 * `grantable` come from the local meta.json files only, and a category the
 * council marks non-grantable makes its imported lists non-grantable too.
 * An import's `_trusted/domains` (UT1's sexual_education, by the default map)
 * adds trusted hosts: those are spared keyword and imported-list matches,
 * never the council's own domain and URL lists.
 *
 * A missing imported root means "nothing imported" and is not a problem; an
 * import that cannot be read is a diagnostic (the reloader then keeps the
 * previous lists), never a failure of the council's own lists.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListInput } from '../classify/list-input.ts';
import { isWfError } from '../errors.ts';
import { loadCategories, type ListDiagnostic, type LoadedCategories } from './load-categories.ts';

/** Names of imports: folder names below the imported root, and `lists.sources[].name`. */
export const IMPORT_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Where `wardgate lists import` publishes by default, and where the proxy looks. */
export function importedListsDir(dataDir: string): string {
  return path.join(dataDir, 'lists', 'imported');
}

export interface ImportedLists {
  /** Import names found, in name order. */
  readonly names: readonly string[];
  readonly lists: readonly ListInput[];
  readonly trustedHosts: readonly string[];
  readonly exceptionWords: readonly string[];
  readonly diagnostics: readonly ListDiagnostic[];
}

const NOTHING: ImportedLists = Object.freeze({ names: [], lists: [], trustedHosts: [], exceptionWords: [], diagnostics: [] });

async function importNames(importedDir: string, diagnostics: ListDiagnostic[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(importedDir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') diagnostics.push({ file: importedDir, line: 0, message: `cannot read the imported lists folder (${code ?? String(err)})` });
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    // Dot-names are the importer's own work in progress (and editors' files).
    if (entry.name.startsWith('.')) continue;
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path.join(importedDir, entry.name)).then((s) => s.isDirectory(), () => false)));
    if (!isDir) {
      if (entry.isSymbolicLink()) diagnostics.push({ file: entry.name, line: 0, message: 'imported list link points nowhere: skipped (run `wardgate lists update` again)' });
      continue;
    }
    if (IMPORT_NAME_RE.test(entry.name)) names.push(entry.name);
    else diagnostics.push({ file: entry.name, line: 0, message: 'import names are lower-case letters, digits, ".", "_" and "-": folder skipped' });
  }
  return names.sort();
}

/** Every import below `importedDir`, each with source 'imported'. */
export async function loadImportedLists(importedDir: string): Promise<ImportedLists> {
  const diagnostics: ListDiagnostic[] = [];
  const names = await importNames(importedDir, diagnostics);
  if (names.length === 0 && diagnostics.length === 0) return NOTHING;
  const lists: ListInput[] = [];
  const trustedHosts: string[] = [];
  const exceptionWords: string[] = [];
  const loaded: string[] = [];
  for (const name of names) {
    try {
      const tree = await loadCategories(path.join(importedDir, name), { source: 'imported', listIdPrefix: `${name}:`, filePrefix: `${name}/`, partial: true });
      lists.push(...tree.input.lists.filter((l) => l.domains.length + l.urls.length + l.keywords.length > 0));
      trustedHosts.push(...tree.input.trustedHosts);
      exceptionWords.push(...tree.input.exceptionWords);
      diagnostics.push(...tree.diagnostics);
      loaded.push(name);
    } catch (err) {
      // Vanished between readdir and read (an update swapping it), or unreadable.
      if (!isWfError(err, 'WF_ERR_NO_INDEX')) throw err;
      diagnostics.push({ file: name, line: 0, message: `imported lists cannot be read: ${err.message}` });
    }
  }
  return { names: loaded, lists, trustedHosts, exceptionWords, diagnostics };
}

/**
 * The council's lists (`categoriesDir`, required: WF_ERR_NO_INDEX when it
 * cannot be read) merged with every import below `importedDir` (optional).
 */
export async function loadAllLists(categoriesDir: string, importedDir: string): Promise<LoadedCategories> {
  const [local, imported] = await Promise.all([loadCategories(categoriesDir), loadImportedLists(importedDir)]);
  if (imported === NOTHING) return local;
  const grantable = new Map(local.categories.map((c) => [c.id, c.grantable]));
  const importedLists = imported.lists.map((l) => (l.grantable && grantable.get(l.category) === false ? { ...l, grantable: false } : l));
  return {
    categories: local.categories,
    input: {
      lists: [...local.input.lists, ...importedLists],
      trustedHosts: [...local.input.trustedHosts, ...imported.trustedHosts],
      exceptionWords: [...local.input.exceptionWords, ...imported.exceptionWords],
    },
    diagnostics: [...local.diagnostics, ...imported.diagnostics],
  };
}
