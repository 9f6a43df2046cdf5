/**
 * import-state: what one import gathers while its sources are read, and how
 * each source file is routed: a UT1/squidGuard tree file by its list folder
 * and the map, a single list by its name. Used by import-lists.ts only.
 *
 * Routing rules: `<list>/domains` and `<list>/urls` are imported into
 * `<category>/<list>/` for each council category the map gives the list
 * (`_trusted/domains` for a trusted list); `usage` is remembered for the
 * skip notes; regular-expression files and lists the map skips or does not
 * name are noted, never read. Each source list gets its own sub-list folder
 * in a category, so two lists never share a file.
 */
import { importListFile, OutputFiles, type EntryFormat, type FileCounts, type Targets } from './import-writer.ts';
import { lookupMap, type ImportMap, type MapEntry } from './import-map.ts';
import type { SourceFile } from './list-source.ts';

export interface ImportedFile {
  /** The source (URL or path, credentials hidden) and the file inside it. */
  readonly source: string;
  readonly from: string;
  readonly list: string;
  readonly format: EntryFormat;
  /** Files written, below the tree root. */
  readonly to: readonly string[];
  readonly lines: number;
  readonly entries: number;
  readonly bad: number;
  readonly ignored: number;
}

const TREE_FILES = new Set(['domains', 'urls']);
const REGEX_FILES = new Set(['expressions', 'very_restrictive_expression']);
const MAX_SAMPLES = 10;

/**
 * Comment lines for the top of an output file, in ASCII only: entries are
 * ASCII (punycode), and one non-ASCII character would make V8 hold the whole
 * file as a two-byte string when it is loaded (250 MB instead of 125 MB for
 * UT1's adult list, and twice the decoding time).
 */
function asciiComment(text: string): string {
  return `${text.split('\n').map((line) => `# ${line.replace(/[^\x20-\x7e]/g, '?')}`).join('\n')}\n`;
}

/** A source list name as a sub-list folder name (`dangerous_material` → `dangerous-material`). */
function subListName(list: string): string {
  const name = list.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'list' : name;
}

/** A single file's list name: its base name without `.gz` and a text-ish extension. */
export function fileListName(name: string): string {
  return name.replace(/\.gz$/i, '').replace(/\.(txt|list|lst|hosts|domains)$/i, '') || 'list';
}

/** Everything gathered while the sources are read. */
export class ImportState {
  readonly files: ImportedFile[] = [];
  readonly skipped = new Map<string, string>();
  readonly notes: string[] = [];
  readonly badSamples: string[] = [];
  /** `<category>/<sub>` → the source list it holds (two lists never share a folder). */
  readonly subLists = new Map<string, { list: string; entry: MapEntry; source: string }>();
  readonly usage = new Map<string, string>();
  /** The header comment of each output file, set by targets() before the file is first written. */
  readonly headers = new Map<string, string>();
  readonly regexNoted = new Set<string>();
  readonly maps = new Set<string>();
  readonly out: OutputFiles;

  constructor(readonly name: string, staging: string) {
    this.out = new OutputFiles(staging, (rel) => this.headers.get(rel) ?? '');
  }

  /** Sub-list folder for `list` in `category`, unique per list. */
  subList(category: string, list: string, entry: MapEntry, source: string): string {
    const base = subListName(list);
    for (let n = 1; ; n++) {
      const sub = n === 1 ? base : `${base}-${n}`;
      const held = this.subLists.get(`${category}/${sub}`);
      if (held === undefined) this.subLists.set(`${category}/${sub}`, { list, entry, source });
      if (held === undefined || held.list === list) return sub;
    }
  }

  targets(list: string, entry: MapEntry, source: string): Targets {
    const describe = `${this.name}: ${source} list "${list}"`;
    if (entry.use === 'trusted') {
      this.headers.set('_trusted/domains', asciiComment(`trusted sites imported by wardgate (${this.name}): ${entry.why}`));
      return { domains: ['_trusted/domains'], urls: [], trusted: true };
    }
    const folders = entry.categories.map((c) => `${c}/${this.subList(c, list, entry, source)}`);
    for (const folder of folders) {
      for (const kind of ['domains', 'urls']) {
        this.headers.set(`${folder}/${kind}`, asciiComment(`${describe} -> ${entry.categories.join(', ')}. Imported by wardgate: do not edit,\n\`wardgate lists update\` replaces this folder. Local changes belong in the categories folder.`));
      }
    }
    return { domains: folders.map((f) => `${f}/domains`), urls: folders.map((f) => `${f}/urls`), trusted: false };
  }

  record(source: string, from: string, list: string, format: EntryFormat, targets: Targets, counts: FileCounts): void {
    const to = [...targets.domains, ...targets.urls].filter((rel) => this.out.has(rel));
    this.files.push({ source, from, list, format, to, lines: counts.lines, entries: counts.entries, bad: counts.bad, ignored: counts.ignored });
    for (const sample of counts.badSamples) if (this.badSamples.length < MAX_SAMPLES) this.badSamples.push(sample);
    if (targets.trusted && counts.ignored > 0) {
      this.notes.push(`${from}: ${counts.ignored} URL entries with a path not imported: a trusted site is a whole host`);
    }
  }
}

/** One file of a UT1/squidGuard tree: `<…>/<list>/<kind>[.gz]`. */
export async function importTreeFile(state: ImportState, map: ImportMap, source: string, file: SourceFile): Promise<void> {
  const parts = file.path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length < 2) return; // README, LICENSE, global_usage at the top
  const list = parts[parts.length - 2]!;
  const kind = parts[parts.length - 1]!.replace(/\.gz$/i, '');
  if (kind === 'usage') {
    let text = '';
    for await (const chunk of file.body) if (text.length < 4096) text += chunk.toString('utf8');
    state.usage.set(list, text.toLowerCase());
    return;
  }
  if (REGEX_FILES.has(kind)) {
    if (!state.regexNoted.has(list) && lookupMap(map, list)?.use === 'block') {
      state.regexNoted.add(list);
      state.notes.push(`${file.path}: regular expressions are not imported (wardgate has no regex rules; UT1 calls them very restrictive)`);
    }
    return;
  }
  if (!TREE_FILES.has(kind)) return;
  const entry = lookupMap(map, list);
  if (entry === undefined || entry.use === 'skip') {
    if (!state.skipped.has(list)) state.skipped.set(list, entry?.why ?? 'not in the map');
    return;
  }
  const targets = state.targets(list, entry, source);
  const counts = await importListFile(file.body, file.path, kind as 'domains' | 'urls', targets, state.out);
  state.record(source, file.path, list, kind as EntryFormat, targets, counts);
}

export async function importSingleFile(state: ImportState, map: ImportMap, source: string, file: SourceFile, listName: string, entryFormat: EntryFormat): Promise<void> {
  const entry = lookupMap(map, listName);
  if (entry === undefined || entry.use === 'skip') {
    state.skipped.set(listName, entry?.why ?? `not in the map ${map.origin}`);
    return;
  }
  const targets = state.targets(listName, entry, source);
  const counts = await importListFile(file.body, file.path, entryFormat, targets, state.out);
  state.record(source, file.path, listName, entryFormat, targets, counts);
}


export function skippedNotes(state: ImportState): { list: string; why: string }[] {
  return [...state.skipped].map(([list, why]) => {
    const white = state.usage.get(list);
    return { list, why: why === 'not in the map' && white !== undefined && white.includes('white') && !white.includes('black') ? 'not in the map (UT1 marks it an allow list)' : why };
  });
}
