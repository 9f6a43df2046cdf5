/**
 * list-input: the plain data a classifier is built from. src/lists/ (folder
 * loader, UT1 importer) produces these; src/classify/ consumes them and never
 * imports from src/lists/, so the classifier can be built from any source
 * (tests, an import, a future compiled snapshot) without touching the disk.
 *
 * Invariants the producer guarantees: hosts are canonical (the output of
 * `canonicalHost`, with a URL rule's leading `www.` already dropped), URL
 * path prefixes are percent-decoded once and lower-cased like
 * `Target.matchPath`, and keyword words are lower-cased.
 */
import type { ListSource } from './classification.ts';

export type { ListSource };

/** Where an entry was written, for RuleMatch and diagnostics. */
export interface RuleOrigin {
  /** File relative to the categories root, e.g. `pornography/domains`. */
  readonly file: string;
  /** 1-based line number in that file. */
  readonly line: number;
}

/** Blocks the host and every subdomain (squidGuard domainlist). */
export interface DomainRule extends RuleOrigin {
  readonly host: string;
}

/**
 * A URL prefix: matches when the target's host is `host` or a subdomain of it
 * and its matchPath starts with `pathPrefix`. A rule whose pathPrefix is ""
 * has no path and is treated exactly like a DomainRule.
 */
export interface UrlRule extends RuleOrigin {
  readonly host: string;
  /** Starts with `/` unless empty; may include a query (`/search?q=`). */
  readonly pathPrefix: string;
  /** The entry as normalised, `host` + `pathPrefix`, shown in RuleMatch. */
  readonly entry: string;
}

/**
 * A whole word or a phrase of consecutive words matched in the path and query.
 * With `prefix`, the last word matches any word that starts with it.
 */
export interface KeywordRule extends RuleOrigin {
  readonly words: readonly string[];
  readonly prefix: boolean;
  /** The entry as normalised (lower case, single spaces, trailing `*` kept). */
  readonly entry: string;
}

/** Marks DomainColumns.end entries whose host is in `extra`, not in `text`. */
export const HOST_NOT_IN_TEXT = 0xffffffff;

/**
 * A list file's domain entries as columns instead of one DomainRule object
 * each: the hosts stay in the file's text (host i is text[start[i], end[i])),
 * and only a host whose canonical form differs from what is written (upper
 * case, a leading `.`, an IP literal, punycode) is a string of its own in
 * `extra` (end[i] is HOST_NOT_IN_TEXT and start[i] indexes `extra`).
 *
 * Why (bench/README.md, "Compiling the lists: memory and GC"): UT1's adult
 * list is 4.6 million lines; a {host, file, line} object and a host string
 * per line, all alive until the index is built, held the compile's heap at
 * 550–640 MB, and the GC copied every one of them out of the young
 * generation (0.8–3.7 s of scavenges a compile) and marked them again
 * (mark-compact pauses up to 0.75 s). As columns they are three
 * Uint32Arrays (56 MB) beside the text the file was read into anyway, which
 * the GC never walks: the full UT1 compile went from 915–945 MB peak RSS to
 * 427–550 MB, scavenges to 63–104 ms, the longest mark-compact to 10–53 ms.
 */
export class DomainColumns {
  /** Every entry's file, relative to the categories root (as RuleOrigin.file). */
  readonly file: string;
  readonly length: number;
  readonly text: string;
  readonly start: Uint32Array;
  readonly end: Uint32Array;
  /** 1-based line numbers. */
  readonly lines: Uint32Array;
  readonly extra: readonly string[];

  constructor(parts: { file: string; length: number; text: string; start: Uint32Array; end: Uint32Array; lines: Uint32Array; extra: readonly string[] }) {
    const { file, length, text, start, end, lines, extra } = parts;
    if (!(length <= start.length && length <= end.length && length <= lines.length)) throw new RangeError('DomainColumns: columns shorter than length');
    this.file = file;
    this.length = length;
    this.text = text;
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.extra = extra;
    Object.freeze(this);
  }

  hostAt(i: number): string {
    const end = this.end[i]!;
    return end === HOST_NOT_IN_TEXT ? this.extra[this.start[i]!]! : this.text.slice(this.start[i]!, end);
  }

  lineAt(i: number): number {
    return this.lines[i]!;
  }

  /** The entries as DomainRule objects (one per entry: for tests and small lists, not for UT1-sized ones). */
  toRules(): DomainRule[] {
    const rules: DomainRule[] = [];
    for (let i = 0; i < this.length; i++) rules.push({ host: this.hostAt(i), file: this.file, line: this.lineAt(i) });
    return rules;
  }
}

/** A list's domain entries: loaded lists hold columns, hand-built inputs (tests, benches) may hold rules. */
export type ListDomains = readonly DomainRule[] | DomainColumns;

/** A list's entries as DomainRule objects, whichever form it holds (see DomainColumns.toRules). */
export function domainRules(domains: ListDomains): readonly DomainRule[] {
  return domains instanceof DomainColumns ? domains.toRules() : domains;
}

/** One list: a category's own entries, or one of its sub-lists. */
export interface ListInput {
  /** The category id, or `<category>/<sub-list>`. */
  readonly id: string;
  readonly category: string;
  /** False when no grant may ever unlock this list's matches. */
  readonly grantable: boolean;
  readonly source: ListSource;
  readonly domains: ListDomains;
  readonly urls: readonly UrlRule[];
  readonly keywords: readonly KeywordRule[];
}

export interface ClassifierInput {
  readonly lists: readonly ListInput[];
  /**
   * Trusted sites (and their subdomains): keyword matches and matches from
   * `imported` lists never apply to them; `local` domain/URL lists still do.
   */
  readonly trustedHosts: readonly string[];
  /** Lower-case words never matched as, or by, a keyword (place names). */
  readonly exceptionWords: readonly string[];
}
