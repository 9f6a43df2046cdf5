/**
 * domain-index: host → the values filed under that host and under each of its
 * parent domains (squidGuard domainlist semantics: `example.com` covers
 * `www.example.com` and `a.b.example.com`, never `notexample.com`). IP
 * literals only ever match exactly: `0.0.1` is not a parent of `127.0.0.1`.
 *
 * A thin generic wrapper over DomainTable (domain-table.ts: flat typed
 * arrays, a right-to-left label walk, exact verification of every match),
 * for the small indexes that carry arbitrary values: URL-prefix buckets
 * (url-index.ts) and the trusted-sites set. The classifier's domain rules
 * use DomainTable directly, with (list, line) rules instead of objects, so a
 * 5M-domain list costs no object per domain. Values come back most specific
 * host first, in insertion order within one host. lookup() never throws;
 * the constructor throws WF_ERR_LIST_INVALID for a host that is not
 * canonical (non-Latin-1, or a label over 255 characters).
 */
import { DomainTableBuilder, isIpHost } from './domain-table-builder.ts';
import type { DomainTable } from './domain-table.ts';
import type { HostSuffixes } from './host-suffixes.ts';

/**
 * Load of these tables' slot arrays. They are small (hundreds to tens of
 * thousands of hosts) and walked on every request, so they trade memory
 * for short probes: at the big table's 0.85 a miss scans ~25 slots.
 */
const SMALL_TABLE_LOAD = 0.25;

export interface DomainEntry<T> {
  /** Canonical host (see `canonicalHost`). */
  readonly host: string;
  readonly value: T;
}

export class DomainSuffixIndex<T> {
  readonly #table: DomainTable;
  readonly #values: T[] = [];

  constructor(entries: Iterable<DomainEntry<T>>) {
    const list = Array.isArray(entries) ? (entries as readonly DomainEntry<T>[]) : [...entries];
    const builder = new DomainTableBuilder({ expectedHosts: list.length, targetLoad: SMALL_TABLE_LOAD });
    for (const entry of list) {
      // The rule's data is the value's index; tag 0 for all.
      if (builder.add(entry.host, isIpHost(entry.host), 0, this.#values.length)) this.#values.push(entry.value);
    }
    this.#table = builder.finish();
  }

  /** Number of entries indexed. */
  get size(): number {
    return this.#values.length;
  }

  /**
   * Appends to `out` every value filed under `host` or a parent domain of it,
   * most specific host first. Returns how many were appended.
   */
  lookup(host: string, isIp: boolean, out: T[]): number {
    const table = this.#table;
    const count = table.match(host, isIp);
    for (let i = 0; i < count; i++) out.push(this.#values[table.ruleData(i)]!);
    return count;
  }

  /** Whether `host` or any parent domain of it has an entry. */
  has(host: string, isIp: boolean): boolean {
    return this.#table.has(host, isIp);
  }

  /** has() for a host already hashed, over its first `upTo` suffixes. */
  hasSuffixes(s: HostSuffixes, upTo: number = s.count): boolean {
    return this.#table.hasSuffixes(s, upTo);
  }
}

/** Index of bare hosts (e.g. the trusted-sites list), for `has()` checks. */
export function createHostSet(hosts: Iterable<string>): DomainSuffixIndex<true> {
  const entries: DomainEntry<true>[] = [];
  for (const host of hosts) entries.push({ host, value: true });
  return new DomainSuffixIndex(entries);
}
