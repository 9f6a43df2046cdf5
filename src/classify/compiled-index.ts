/**
 * compiled-index: everything a classifier is built from, in its compiled
 * form: the domain rules as one DomainTable (rules are (source, line) pairs,
 * no object per domain), the URL-prefix rules as one UrlTable (url-table.ts),
 * both flat typed arrays an index file holds as they are, and the small parts
 * (list metadata, keyword rules, trusted hosts, exception words) as plain
 * data. Built from a
 * ClassifierInput by compileIndex(), or read back from a file by
 * index-file.ts; createClassifier() accepts either.
 *
 * Compiling drops repeats within a list (the first line wins), as the
 * classifier always has: a domain written twice, or both as a domain and as
 * a URL entry without a path, is one rule. Order is kept: lists in input
 * order, within a list domains before pathless URL entries.
 */
import { WfError } from '../errors.ts';
import type { ListSource } from './classification.ts';
import { DomainTableBuilder, isIpHost } from './domain-table-builder.ts';
import { MAX_TAG, type DomainTable } from './domain-table.ts';
import { DomainColumns, HOST_NOT_IN_TEXT, type ClassifierInput } from './list-input.ts';
import { buildUrlTable, type UrlTableArrays, type UrlTableRule } from './url-table.ts';

/** Hosts per builder.prefetch() batch (64 measured best on UT1 adult; 256 evicts its own lines). */
const PREFETCH_BATCH = 64;

/** A list's metadata (a ListInput without its rules). */
export interface IndexedList {
  readonly id: string;
  readonly category: string;
  readonly grantable: boolean;
  readonly source: ListSource;
}

/** What a rule's source number stands for (a domain rule's tag, a URL rule's source): a list and the file its entry came from. */
export interface DomainRuleSource {
  /** Index into CompiledIndex.lists. */
  readonly list: number;
  readonly file: string;
}

export interface CompiledKeywordRule {
  readonly list: number;
  readonly words: readonly string[];
  readonly prefix: boolean;
  readonly entry: string;
  readonly file: string;
  readonly line: number;
}

export interface CompiledIndexParts {
  readonly lists: readonly IndexedList[];
  /** Indexed by a domain rule's tag (DomainTable.ruleTag; the rule's data is its line) and a URL rule's source. */
  readonly sources: readonly DomainRuleSource[];
  readonly domains: DomainTable;
  readonly urls: UrlTableArrays;
  readonly keywords: readonly CompiledKeywordRule[];
  readonly trustedHosts: readonly string[];
  readonly exceptionWords: readonly string[];
}

export class CompiledIndex implements CompiledIndexParts {
  readonly lists: readonly IndexedList[];
  readonly sources: readonly DomainRuleSource[];
  readonly domains: DomainTable;
  readonly urls: UrlTableArrays;
  readonly keywords: readonly CompiledKeywordRule[];
  readonly trustedHosts: readonly string[];
  readonly exceptionWords: readonly string[];

  constructor(parts: CompiledIndexParts) {
    this.lists = parts.lists;
    this.sources = parts.sources;
    this.domains = parts.domains;
    this.urls = parts.urls;
    this.keywords = parts.keywords;
    this.trustedHosts = parts.trustedHosts;
    this.exceptionWords = parts.exceptionWords;
    Object.freeze(this);
  }
}

/**
 * Compiles a ClassifierInput. Throws WF_ERR_LIST_INVALID when it cannot be
 * indexed (a non-canonical host, more than 65,533 list files with domains).
 */
export function compileIndex(input: ClassifierInput): CompiledIndex {
  let expectedHosts = 0;
  for (const list of input.lists) expectedHosts += list.domains.length + list.urls.length;
  const sources: DomainRuleSource[] = [];
  const builder = new DomainTableBuilder({ expectedHosts, sameGroup: (a, b) => sources[a]!.list === sources[b]!.list });
  const lists: IndexedList[] = [];
  const urls: UrlTableRule[] = [];
  const keywords: CompiledKeywordRule[] = [];
  for (let l = 0; l < input.lists.length; l++) {
    const list = input.lists[l]!;
    lists.push(Object.freeze({ id: list.id, category: list.category, grantable: list.grantable, source: list.source }));
    // A list's entries nearly all share one file string: remember the last tag.
    const tags = new Map<string, number>();
    let lastFile: string | undefined;
    let lastTag = 0;
    const tagOf = (file: string): number => {
      if (file === lastFile) return lastTag;
      let tag = tags.get(file);
      if (tag === undefined) {
        tag = sources.length;
        if (tag > MAX_TAG) throw new WfError('WF_ERR_LIST_INVALID', `too many list files with domain or URL entries (at most ${MAX_TAG + 1})`);
        sources.push(Object.freeze({ list: l, file }));
        tags.set(file, tag);
      }
      lastFile = file;
      lastTag = tag;
      return tag;
    };
    const domains = list.domains;
    if (domains instanceof DomainColumns) {
      // Straight from the columns: no string or object per entry (DomainColumns says why).
      const { text, start, end, lines, extra } = domains;
      const tag = domains.length > 0 ? tagOf(domains.file) : 0;
      for (let i = 0; i < domains.length; i++) {
        if (i % PREFETCH_BATCH === 0) builder.prefetchColumns(domains, i, i + PREFETCH_BATCH);
        const e = end[i]!;
        if (e === HOST_NOT_IN_TEXT) {
          const host = extra[start[i]!]!;
          builder.add(host, isIpHost(host), tag, lines[i]!);
        } else {
          // Hosts left in the text are plain names (parseDomainColumns), never IP literals; checked anyway, cheaply.
          const last = text.charCodeAt(e - 1);
          const isIp = last >= 48 && last <= 57 && isIpHost(text.slice(start[i]!, e));
          builder.addRange(text, start[i]!, e, isIp, tag, lines[i]!);
        }
      }
    } else {
      for (let i = 0; i < domains.length; i++) {
        if (i % PREFETCH_BATCH === 0) builder.prefetch(domains, i, i + PREFETCH_BATCH);
        const d = domains[i]!;
        builder.add(d.host, isIpHost(d.host), tagOf(d.file), d.line);
      }
    }
    const seen = new Set<string>();
    for (const u of list.urls) {
      if (u.pathPrefix.length === 0) {
        builder.add(u.host, isIpHost(u.host), tagOf(u.file), u.line);
      } else if (fresh(seen, `u ${u.host}${u.pathPrefix}`)) {
        urls.push({ host: u.host, pathPrefix: u.pathPrefix, entry: u.entry, source: tagOf(u.file), line: u.line });
      }
    }
    for (const k of list.keywords) {
      if (fresh(seen, `k ${k.words.join(' ')}${k.prefix ? '*' : ''}`)) {
        keywords.push(Object.freeze({ list: l, words: Object.freeze([...k.words]), prefix: k.prefix, entry: k.entry, file: k.file, line: k.line }));
      }
    }
  }
  return new CompiledIndex({
    lists: Object.freeze(lists),
    sources: Object.freeze(sources),
    domains: builder.finish(),
    urls: buildUrlTable(urls),
    keywords: Object.freeze(keywords),
    trustedHosts: Object.freeze([...input.trustedHosts]),
    exceptionWords: Object.freeze([...input.exceptionWords]),
  });
}

function fresh(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
