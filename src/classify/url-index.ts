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
      buckets.push({ host, value: { prefixes: rules.map((r) => r.prefix), matches: rules.map((r) => r.match) } });
    }
    this.#hosts = new DomainSuffixIndex(buckets);
    this.size = size;
  }

  /** Whether any rule's host covers `host` (a path-independent fact the classifier caches per host). */
  hasHost(host: string, isIp: boolean): boolean {
    if (this.size === 0) return false;
    return this.#hosts.has(isIp ? host : stripWww(host), isIp);
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
    for (let b = 0; b < walked.length; b++) {
      const { prefixes, matches } = walked[b]!;
      for (let i = 0; i < prefixes.length; i++) {
        if (matchPath.startsWith(prefixes[i]!)) out.push(matches[i]!);
      }
    }
    walked.length = 0;
    return out.length - before;
  }
}
