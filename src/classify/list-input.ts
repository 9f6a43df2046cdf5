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

/** One list: a category's own entries, or one of its sub-lists. */
export interface ListInput {
  /** The category id, or `<category>/<sub-list>`. */
  readonly id: string;
  readonly category: string;
  /** False when no grant may ever unlock this list's matches. */
  readonly grantable: boolean;
  readonly source: ListSource;
  readonly domains: readonly DomainRule[];
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
