/**
 * domain-index: host → the values filed under that host and under each of its
 * parent domains (squidGuard domainlist semantics: `example.com` covers
 * `www.example.com` and `a.b.example.com`, never `notexample.com`).
 *
 * The walk goes right to left, one label at a time (`com`, `example.com`,
 * `www.example.com`), and stops as soon as no entry ends in the suffix seen so
 * far, so a miss on a deep CDN host costs one or two lookups, not one per
 * label. Interior suffixes are kept as nodes flagged `hasChildren` for that.
 * IP literals are stored apart and only ever match exactly: `0.0.1` is not a
 * parent of `127.0.0.1`.
 *
 * This first version keys a Map by suffix string (one substring per label
 * walked); the interface (`lookup(host, isIp, out)`) is kept narrow so a
 * flat typed-array trie can replace it at 5M-domain scale without callers
 * noticing. Values come back most specific host first, in insertion order
 * within one host. Never throws, whatever the host string.
 */
import { isIpLiteral } from './normalise-url.ts';

export interface DomainEntry<T> {
  /** Canonical host (see `canonicalHost`). */
  readonly host: string;
  readonly value: T;
}

interface SuffixNode<T> {
  /** Values of entries for exactly this suffix, or null for an interior node. */
  values: T[] | null;
  /** Some entry is a subdomain of this suffix, so the walk must go on. */
  hasChildren: boolean;
}

export class DomainSuffixIndex<T> {
  readonly #nodes = new Map<string, SuffixNode<T>>();
  readonly #ips = new Map<string, T[]>();
  /**
   * Scratch for lookup(): value lists found walking right to left, emitted in
   * reverse so the most specific comes first. Safe to share because lookup is
   * synchronous; emptied on entry, so a fault mid-walk cannot leak into the
   * next lookup.
   */
  readonly #found: T[][] = [];
  #size = 0;

  constructor(entries: Iterable<DomainEntry<T>>) {
    for (const entry of entries) this.#add(entry.host, entry.value);
  }

  /** Number of entries indexed. */
  get size(): number {
    return this.#size;
  }

  #add(host: string, value: T): void {
    if (host.length === 0) return;
    this.#size++;
    if (isIpLiteral(host)) {
      const list = this.#ips.get(host);
      if (list === undefined) this.#ips.set(host, [value]);
      else list.push(value);
      return;
    }
    const leaf = this.#node(host);
    if (leaf.values === null) leaf.values = [value];
    else leaf.values.push(value);
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      this.#node(host.slice(dot + 1)).hasChildren = true;
    }
  }

  #node(suffix: string): SuffixNode<T> {
    let node = this.#nodes.get(suffix);
    if (node === undefined) {
      node = { values: null, hasChildren: false };
      this.#nodes.set(suffix, node);
    }
    return node;
  }

  /**
   * Appends to `out` every value filed under `host` or a parent domain of it,
   * most specific host first. Returns how many were appended.
   */
  lookup(host: string, isIp: boolean, out: T[]): number {
    const before = out.length;
    if (isIp) {
      const exact = this.#ips.get(host);
      if (exact !== undefined) for (let i = 0; i < exact.length; i++) out.push(exact[i]!);
      return out.length - before;
    }
    const found = this.#found;
    found.length = 0;
    let end = host.length;
    for (;;) {
      const dot = end > 0 ? host.lastIndexOf('.', end - 1) : -1;
      const start = dot + 1;
      const node = this.#nodes.get(start === 0 ? host : host.slice(start));
      if (node === undefined) break;
      if (node.values !== null) found.push(node.values);
      if (start === 0 || !node.hasChildren) break;
      end = dot;
    }
    for (let d = found.length - 1; d >= 0; d--) {
      const values = found[d]!;
      for (let i = 0; i < values.length; i++) out.push(values[i]!);
    }
    found.length = 0;
    return out.length - before;
  }

  /** Whether `host` or any parent domain of it has an entry. */
  has(host: string, isIp: boolean): boolean {
    if (isIp) return this.#ips.has(host);
    let end = host.length;
    for (;;) {
      const dot = end > 0 ? host.lastIndexOf('.', end - 1) : -1;
      const start = dot + 1;
      const node = this.#nodes.get(start === 0 ? host : host.slice(start));
      if (node === undefined) return false;
      if (node.values !== null) return true;
      if (start === 0 || !node.hasChildren) return false;
      end = dot;
    }
  }
}

/** Index of bare hosts (e.g. the trusted-sites list), for `has()` checks. */
export function createHostSet(hosts: Iterable<string>): DomainSuffixIndex<true> {
  const entries: DomainEntry<true>[] = [];
  for (const host of hosts) entries.push({ host, value: true });
  return new DomainSuffixIndex(entries);
}
