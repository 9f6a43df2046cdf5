/**
 * url-index: URL-prefix rules (`example.com/bad/`) filed by host. A lookup
 * walks the target host and its parent domains through a DomainSuffixIndex
 * (so `example.com/bad` also covers `sub.example.com/bad`), then compares
 * only that host's path prefixes, longest first, with `Target.matchPath`:
 * cost grows with the rules of the hosts walked, never with the whole list.
 *
 * Prefixes compare as plain strings, as grants' URL scopes do
 * (`/bad` covers `/badger`); list authors end a prefix with `/` to stop at a
 * path segment. A leading `www.` is dropped from entries when they are loaded
 * and from the target here, so the two always meet. A CONNECT target has no
 * path and so never matches a URL rule (only domain rules can block it).
 */
import type { RuleMatch } from './classification.ts';
import { DomainSuffixIndex } from './domain-index.ts';
import type { HostSuffixes } from './host-suffixes.ts';

export interface UrlEntry {
  /** Canonical host, leading `www.` dropped (see stripWww). */
  readonly host: string;
  /** Non-empty; decoded once and lower-cased like `Target.matchPath`. */
  readonly pathPrefix: string;
  readonly match: RuleMatch;
}

interface HostBucket {
  /** Sorted longest first; `matches[i]` belongs to `prefixes[i]`. */
  readonly prefixes: string[];
  readonly matches: RuleMatch[];
  /**
   * For a bucket of more than SORTED_BUCKET_MIN prefixes: its distinct
   * prefixes in code-unit order, and each one's matches in bucket order.
   * Null for a small bucket (a plain scan is as fast).
   */
  readonly sorted: string[] | null;
  readonly sortedMatches: RuleMatch[][];
}

/**
 * Prefixes in a host's bucket above which a lookup searches the sorted
 * prefixes instead of comparing every one. UT1 has hosts with hundreds or
 * thousands of URL entries (github.com 1,713, img1.wsimg.com 1,105,
 * docs.google.com 467 at the 2025 snapshot). Filing them by first path
 * segment was not enough: img1.wsimg.com's 1,105 all start `/blobby/`, so
 * every request to it compared 1,105 prefixes (110 µs); the sorted search
 * costs a few binary searches whatever the prefixes share (see
 * matchSorted; bench/README.md has the measured gain).
 */
const SORTED_BUCKET_MIN = 16;
const NO_MATCHES: RuleMatch[][] = [];

function bucketOf(rules: { prefix: string; match: RuleMatch }[]): HostBucket {
  const prefixes = rules.map((r) => r.prefix);
  const matches = rules.map((r) => r.match);
  if (prefixes.length <= SORTED_BUCKET_MIN) return { prefixes, matches, sorted: null, sortedMatches: NO_MATCHES };
  const byPrefix = new Map<string, RuleMatch[]>();
  for (let i = 0; i < prefixes.length; i++) {
    const list = byPrefix.get(prefixes[i]!);
    if (list === undefined) byPrefix.set(prefixes[i]!, [matches[i]!]);
    else list.push(matches[i]!);
  }
  // Default sort order is by UTF-16 code units, the order `<` compares strings in.
  const sorted = [...byPrefix.keys()].sort();
  return { prefixes, matches, sorted, sortedMatches: sorted.map((p) => byPrefix.get(p)!) };
}

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
  readonly #hosts: DomainSuffixIndex<HostBucket>;
  /** Scratch for lookup(), emptied on entry and exit (lookup is synchronous). */
  readonly #walked: HostBucket[] = [];
  /** Number of rules indexed. */
  readonly size: number;

  constructor(entries: Iterable<UrlEntry>) {
    const byHost = new Map<string, { prefix: string; match: RuleMatch }[]>();
    let size = 0;
    for (const entry of entries) {
      if (entry.pathPrefix.length === 0) continue;
      size++;
      const rules = byHost.get(entry.host);
      if (rules === undefined) byHost.set(entry.host, [{ prefix: entry.pathPrefix, match: entry.match }]);
      else rules.push({ prefix: entry.pathPrefix, match: entry.match });
    }
    const buckets: { host: string; value: HostBucket }[] = [];
    for (const [host, rules] of byHost) {
      // Array#sort is stable, so equal prefixes keep list order.
      rules.sort((a, b) => b.prefix.length - a.prefix.length);
      buckets.push({ host, value: bucketOf(rules) });
    }
    this.#hosts = new DomainSuffixIndex(buckets);
    this.size = size;
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
    if (matchPath.length === 0) return 0;
    const walked = this.#walked;
    walked.length = 0;
    this.#hosts.lookup(isIp ? host : stripWww(host), isIp, walked);
    const before = out.length;
    for (let b = 0; b < walked.length; b++) matchBucket(walked[b]!, matchPath, out);
    walked.length = 0;
    return out.length - before;
  }
}
