/**
 * What the classifier says about a Target: which categories it falls in and
 * every rule that put it there. Pure data, no policy: whether a match blocks
 * is decided in src/policy/decide.ts.
 */

/** Where a list came from: the council's own hand-edited lists, or an import (UT1 etc.). */
export type ListSource = 'local' | 'imported';

export type RuleKind = 'domain' | 'url' | 'keyword';

export interface RuleMatch {
  /** Category id (e.g. `pornography`). */
  readonly category: string;
  /** List id: the category id, or `<category>/<sub-list>` for a sub-list (e.g. `illegal/child-abuse`). */
  readonly list: string;
  readonly kind: RuleKind;
  /** The list entry that matched, as written after normalisation (e.g. `example.com`, `example.com/bad`, `free porn`). */
  readonly entry: string;
  /** File the entry came from, relative to the categories root (e.g. `pornography/domains`). */
  readonly file: string;
  /** 1-based line number of the entry in that file. */
  readonly line: number;
  /** False when the list is marked non-grantable: no grant may ever unlock it. */
  readonly grantable: boolean;
  readonly source: ListSource;
}

export interface Classification {
  /** Distinct category ids matched, in the order their first match was found. */
  readonly categories: readonly string[];
  /** Every rule that matched (domain, URL and keyword), most specific first within a kind. */
  readonly matches: readonly RuleMatch[];
  /** The host is on the trusted-sites list (keyword and imported-list matches were suppressed). */
  readonly trusted: boolean;
}

export const UNCATEGORISED: Classification = Object.freeze({
  categories: Object.freeze([]) as readonly string[],
  matches: Object.freeze([]) as readonly RuleMatch[],
  trusted: false,
});

/**
 * Caller-owned trace the classifier fills in (lru-cache's Status idea): lets
 * the proxy log whether the cache served the answer without the classifier
 * doing any logging itself.
 */
export interface ClassifyTrace {
  cache?: 'hit' | 'miss';
}
