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
   * For a bucket of more than KEYED_BUCKET_MIN prefixes: the indexes of the
   * prefixes by first path segment (firstSegmentEnd), ascending, and of the
   * prefixes too short to have one (`short`). Null for a small bucket (a
   * plain scan is as fast).
   */
  readonly bySegment: Map<string, number[]> | null;
  readonly short: number[];
}

/**
 * Prefixes in a host's bucket above which a lookup goes through the
 * first-segment map instead of comparing every prefix. UT1 has hosts with
 * hundreds or thousands of URL entries (github.com 1,713, img1.wsimg.com
 * 1,105, docs.google.com 467 at the 2025 snapshot): every request to them
 * compared every prefix. See bench/README.md for the measured gain.
 */
const KEYED_BUCKET_MIN = 16;
const NO_INDEXES: number[] = [];

/**
 * End of a path's first segment: the first `/` or `?` after the leading
 * character, or -1 when there is none. A prefix p with an end k is a
 * prefix of a path m only if m has the same end k and m.slice(0, k) equals
 * p.slice(0, k), so the first segment files every such prefix exactly.
 */
function firstSegmentEnd(path: string): number {
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */) return i;
  }
  return -1;
}

function bucketOf(rules: { prefix: string; match: RuleMatch }[]): HostBucket {
  const prefixes = rules.map((r) => r.prefix);
  const matches = rules.map((r) => r.match);
  if (prefixes.length <= KEYED_BUCKET_MIN) return { prefixes, matches, bySegment: null, short: NO_INDEXES };
  const bySegment = new Map<string, number[]>();
  const short: number[] = [];
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!;
    const end = firstSegmentEnd(p);
    if (end === -1) {
      short.push(i);
      continue;
    }
    const key = p.slice(0, end);
    const list = bySegment.get(key);
    if (list === undefined) bySegment.set(key, [i]);
    else list.push(i);
  }
  return { prefixes, matches, bySegment, short };
}

/** Appends, longest prefix first, the matches of the bucket's prefixes that start `matchPath`. */
function matchBucket(bucket: HostBucket, matchPath: string, out: RuleMatch[]): void {
  const { prefixes, matches, bySegment } = bucket;
  if (bySegment === null) {
    for (let i = 0; i < prefixes.length; i++) if (matchPath.startsWith(prefixes[i]!)) out.push(matches[i]!);
    return;
  }
  const end = firstSegmentEnd(matchPath);
  const keyed = end === -1 ? NO_INDEXES : (bySegment.get(matchPath.slice(0, end)) ?? NO_INDEXES);
  // Every keyed prefix that matches is longer than every short one that does (it reaches past
  // the segment end the short ones stop before), so keyed-then-short keeps the bucket's order.
  for (let k = 0; k < keyed.length; k++) if (matchPath.startsWith(prefixes[keyed[k]!]!)) out.push(matches[keyed[k]!]!);
  const short = bucket.short;
  for (let k = 0; k < short.length; k++) if (matchPath.startsWith(prefixes[short[k]!]!)) out.push(matches[short[k]!]!);
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
