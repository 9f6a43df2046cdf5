/**
 * url-index: lookups in the URL-prefix rules (`example.com/bad/`) of a
 * UrlTable (url-table.ts: flat arrays, as stored in an index file). A lookup
 * walks the target host and its parent domains through the table's host
 * index (so `example.com/bad` also covers `sub.example.com/bad`), then
 * compares only those hosts' path prefixes, longest first, with
 * `Target.matchPath`: cost grows with the rules of the hosts walked, never
 * with the whole list.
 *
 * Prefixes compare as plain strings, as grants' URL scopes do
 * (`/bad` covers `/badger`); list authors end a prefix with `/` to stop at a
 * path segment. A leading `www.` is dropped from entries when they are loaded
 * and from the target here, so the two always meet. A CONNECT target has no
 * path and so never matches a URL rule (only domain rules can block it).
 */
import type { RuleMatch } from './classification.ts';
import { DomainTable } from './domain-table.ts';
import type { HostSuffixes } from './host-suffixes.ts';
import { charsToString, urlRuleCount, type UrlTableArrays } from './url-table.ts';

/** A host's rules as a lookup reads them: decoded from the table on first use. */
interface HostBucket {
  /** Longest first; `matches[i]` belongs to `prefixes[i]`. */
  readonly prefixes: string[];
  readonly matches: RuleMatch[];
  /**
   * For a bucket the table sorted (more than SORTED_BUCKET_MIN rules): its
   * distinct prefixes in code-unit order, and each one's matches in bucket
   * order. Null for a small bucket (a plain scan is as fast).
   */
  readonly sorted: string[] | null;
  readonly sortedMatches: RuleMatch[][];
}

const NO_MATCHES: RuleMatch[][] = [];

/** Length of the common prefix of `a` and `b`. */
function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Appends, longest first, the matches of every sorted prefix that starts
 * `matchPath`. Each round finds p, the greatest prefix ≤ key (a binary
 * search below `hi`), where key starts as matchPath. Any prefix of key in
 * the list is ≤ p, so none is longer than the common part of p and key:
 * if p is that common part it starts key and matches, and the search goes
 * on below p for key cut one character shorter than p; otherwise key is
 * cut to the common part. key shrinks every round, so the rounds are at
 * most one more than the matches plus the distinct lengths skipped.
 */
function matchSorted(sorted: readonly string[], sortedMatches: readonly RuleMatch[][], matchPath: string, out: RuleMatch[]): void {
  let hi = sorted.length;
  let key = matchPath;
  while (hi > 0 && key.length > 0) {
    let lo = 0;
    let top = hi;
    while (lo < top) {
      const mid = (lo + top) >>> 1;
      if (sorted[mid]! <= key) lo = mid + 1;
      else top = mid;
    }
    const at = lo - 1;
    if (at < 0) return;
    const prefix = sorted[at]!;
    const common = commonPrefixLength(prefix, key);
    if (common === prefix.length) {
      const found = sortedMatches[at]!;
      for (let k = 0; k < found.length; k++) out.push(found[k]!);
      key = key.slice(0, common - 1);
    } else {
      key = key.slice(0, common);
    }
    hi = at;
  }
}

/** Appends, longest prefix first, the matches of the bucket's prefixes that start `matchPath`. */
function matchBucket(bucket: HostBucket, matchPath: string, out: RuleMatch[]): void {
  const { prefixes, matches, sorted } = bucket;
  if (sorted === null) {
    for (let i = 0; i < prefixes.length; i++) if (matchPath.startsWith(prefixes[i]!)) out.push(matches[i]!);
    return;
  }
  matchSorted(sorted, bucket.sortedMatches, matchPath, out);
}

/**
 * `www.example.com` → `example.com`. A bare `www.com` keeps its `www.`
 * because what is left would be a top-level domain.
 */
export function stripWww(host: string): string {
  if (
    host.length > 4 &&
    host.charCodeAt(0) === 119 /* w */ &&
    host.charCodeAt(1) === 119 &&
    host.charCodeAt(2) === 119 &&
    host.charCodeAt(3) === 46 /* . */ &&
    host.indexOf('.', 4) !== -1
  ) {
    return host.slice(4);
  }
  return host;
}

export class UrlPrefixIndex {
  readonly #hosts: DomainTable;
  readonly #table: UrlTableArrays;
  readonly #matchOf: (rule: number) => RuleMatch;
  /**
   * Buckets decoded so far, by number. Decoding on first use keeps opening
   * an index free of per-rule work; the first request to a host pays for
   * its bucket once per list snapshot (measured with UT1: 0.8–4 ms for the
   * largest, docs.google.com's 467 rules to github.com's 1,713; 0.05–0.8 ms
   * for buckets of 2–6 rules, single requests timed, JIT warm-up included).
   */
  readonly #buckets: (HostBucket | undefined)[];
  /** Number of rules indexed. */
  readonly size: number;

  /** `matchOf(r)` makes rule r's RuleMatch (called once per rule, when its bucket is first used). */
  constructor(table: UrlTableArrays, matchOf: (rule: number) => RuleMatch) {
    this.#hosts = new DomainTable(table.hosts);
    this.#table = table;
    this.#matchOf = matchOf;
    this.#buckets = new Array<HostBucket | undefined>(table.bucketStart.length - 1);
    this.size = urlRuleCount(table);
  }

  /** Whether any rule's host covers `host` (a path-independent fact the classifier caches per host). */
  hasHost(host: string, isIp: boolean): boolean {
    if (this.size === 0) return false;
    return this.#hosts.has(isIp ? host : stripWww(host), isIp);
  }

  /** hasHost() for a host already hashed: stripWww(host)'s suffixes are all of host's but the last. */
  hasHostSuffixes(s: HostSuffixes): boolean {
    if (this.size === 0) return false;
    return this.#hosts.hasSuffixes(s, !s.isIp && stripWww(s.host) !== s.host ? s.count - 1 : s.count);
  }

  /**
   * Appends the matches of every rule whose host covers `host` and whose
   * prefix starts `matchPath`: most specific host first, then longest prefix
   * first. Returns how many were appended.
   */
  lookup(host: string, isIp: boolean, matchPath: string, out: RuleMatch[]): number {
    if (matchPath.length === 0 || this.size === 0) return 0;
    const hosts = this.#hosts;
    const count = hosts.match(isIp ? host : stripWww(host), isIp);
    const before = out.length;
    // Decoding a bucket never touches the host table, so its results stay readable meanwhile.
    for (let i = 0; i < count; i++) {
      const b = hosts.ruleData(i);
      matchBucket(this.#buckets[b] ?? this.#decode(b), matchPath, out);
    }
    return out.length - before;
  }

  #decode(b: number): HostBucket {
    const t = this.#table;
    const from = t.bucketStart[b]!;
    const to = t.bucketStart[b + 1]!;
    const prefixes: string[] = [];
    const matches: RuleMatch[] = [];
    for (let r = from; r < to; r++) {
      prefixes.push(charsToString(t.prefixChars, t.prefixStart[r]!, t.prefixStart[r + 1]!));
      matches.push(this.#matchOf(r));
    }
    let bucket: HostBucket;
    if (t.sortedStart[b] === t.sortedStart[b + 1]) {
      bucket = { prefixes, matches, sorted: null, sortedMatches: NO_MATCHES };
    } else {
      const sorted: string[] = [];
      const sortedMatches: RuleMatch[][] = [];
      for (let i = t.sortedStart[b]!; i < t.sortedStart[b + 1]!; i++) {
        // Rules with equal prefixes sit together in the bucket (url-table.ts): take the run.
        const first = t.sorted[i]! - from;
        const prefix = prefixes[first]!;
        const run: RuleMatch[] = [];
        for (let k = first; k < prefixes.length && prefixes[k] === prefix; k++) run.push(matches[k]!);
        sorted.push(prefix);
        sortedMatches.push(run);
      }
      bucket = { prefixes, matches, sorted, sortedMatches };
    }
    this.#buckets[b] = bucket;
    return bucket;
  }
}
