/**
 * domain-table: the compact, read-only form of a domain list. host → the
 * rules filed under the host and each of its parent domains (squidGuard
 * domainlist semantics: `example.com` covers `a.b.example.com`, never
 * `notexample.com`), most specific host first, insertion order within a host.
 * IP literals live in their own namespace and only ever match exactly.
 *
 * Layout (all flat typed arrays, so a compiled index file can be viewed
 * without copying; domain-table-builder.ts writes them):
 * - One node per distinct suffix (`com`, `example.com`, `www.example.com`)
 *   and per IP literal, in an open-addressing table of `capacity` slots
 *   (linear probing, load ≤ 0.88), 16 bytes a slot in two arrays:
 *   `meta[slot]` = fingerprint << 16 | tag (0 = empty slot), scanned by a
 *   probe; `node[3 * slot ...]` = parent, label, data, read only when the
 *   fingerprint agrees. `parent` is the slot of the suffix one label shorter
 *   (ROOT for a top-level label, IP_PARENT for an IP literal), `label` the
 *   byte offset of the node's first label in `labels`, and (tag, data) the
 *   node's rule: NO_RULE for an interior node, CHAINED when `data` is the
 *   head of a chain in `chainTag`/`chainData`/`chainNext`.
 *   A hit reads three cache lines (meta, node record, label bytes) where one
 *   array per field would read six; a miss scans about 25 meta words (one
 *   or two lines) at the 0.86 load UT1 adult builds to.
 * - `labels`: every distinct label once, Latin-1, each as [length][bytes]
 *   (label-store.ts).
 * - A rule is (tag, data): the classifier files (source list+file, line);
 *   DomainSuffixIndex files (0, value index).
 *
 * The slot and fingerprint come from a 64-bit hash of the whole suffix
 * (two 32-bit lanes, suffix-hash.ts), computed for every suffix in one
 * right-to-left pass (host-suffixes.ts), which callers that walk several
 * tables for one host share; nothing is allocated. A hash is only a hint: a node matches when its fingerprint, its parent slot (the
 * node the walk verified one step earlier) and its label bytes are equal to
 * the host's. By induction a match is exact, so no collision can ever make
 * an unlisted host match; collisions only cost probes. That is why no full
 * hash is stored: 16 bytes a slot instead of 24.
 *
 * The walk stops at the first suffix with no node (every node's parents
 * exist), so a miss on a deep host costs one or two probes. Lookups are
 * synchronous; results go to scratch arrays read right after match().
 * Never throws, whatever the host string.
 */
import { labelEquals } from './label-store.ts';
import { HostSuffixes } from './host-suffixes.ts';
import { MAX_CAPACITY, fingerprintOf, slotOf } from './suffix-hash.ts';

/** `parent` of a top-level label's node. */
export const ROOT = 0xffffffff;
/** `parent` of an IP literal's node (its label is the whole literal). */
export const IP_PARENT = 0xfffffffe;
/** `tag` of a node without rules (an interior suffix). */
export const NO_RULE = 0xffff;
/** `tag` of a node with several rules: `data` is the head of its chain. */
export const CHAINED = 0xfffe;
/** Largest tag a rule may carry. */
export const MAX_TAG = 0xfffd;
/** `chainNext` of the last rule in a chain. */
export const CHAIN_END = 0xffffffff;
/** The arrays a table is made of (what a compiled index file stores). */
export interface DomainTableArrays {
  /** Slots in the table; always more than nodeCount (an empty slot ends every probe). */
  readonly capacity: number;
  readonly nodeCount: number;
  readonly ruleCount: number;
  /** ANDed into slot and fingerprint hashes: 0xffffffff, or 0 to force collisions in tests. */
  readonly hashMask: number;
  /** `capacity` words: fingerprint << 16 | tag; 0 when the slot is empty. */
  readonly meta: Uint32Array;
  /** `3 * capacity` words: parent, label offset, data. */
  readonly node: Uint32Array;
  readonly labels: Uint8Array;
  readonly chainTag: Uint16Array;
  readonly chainData: Uint32Array;
  readonly chainNext: Uint32Array;
}

export class DomainTable {
  readonly arrays: DomainTableArrays;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #meta: Uint32Array;
  readonly #node: Uint32Array;
  readonly #labels: Uint8Array;
  /**
   * Scratch, safe to share because match() is synchronous: slots and suffix
   * starts of the nodes with rules met on the walk (least specific first),
   * then the rules found (most specific first). Grown on demand, never shrunk.
   */
  #walkSlot = new Int32Array(16);
  #walkStart = new Int32Array(16);
  #hitTag = new Uint16Array(16);
  #hitData = new Uint32Array(16);
  #hitStart = new Int32Array(16);
  /** Scratch for match() and has() on a host not yet hashed. */
  readonly #suffixes = new HostSuffixes();

  constructor(arrays: DomainTableArrays) {
    this.arrays = arrays;
    this.#capacity = arrays.capacity;
    this.#mask = arrays.hashMask | 0;
    this.#meta = arrays.meta;
    this.#node = arrays.node;
    this.#labels = arrays.labels;
  }

  /** Rules indexed. */
  get ruleCount(): number {
    return this.arrays.ruleCount;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    const a = this.arrays;
    return a.meta.byteLength + a.node.byteLength + a.labels.byteLength + a.chainTag.byteLength + a.chainData.byteLength + a.chainNext.byteLength;
  }

  /** Slot of the node (parent, host[start, end)), probing from `slot` for fingerprint `fp`; -1 if none. */
  #probe(fp: number, slot: number, parent: number, host: string, start: number, end: number): number {
    const capacity = this.#capacity;
    const meta = this.#meta;
    for (;;) {
      const m = meta[slot]!;
      if (m === 0) return -1;
      if (m >>> 16 === fp) {
        const at = slot * 3;
        if (this.#node[at] === parent && labelEquals(this.#labels, this.#node[at + 1]!, host, start, end)) return slot;
      }
      if (++slot === capacity) slot = 0;
    }
  }

  /**
   * Walks the suffixes of `s.host` below `upTo` (all but the last when the
   * caller drops a leading `www.`), shortest first; returns how many nodes
   * with rules it met (their slots and suffix starts are in
   * #walkSlot/#walkStart, least specific first). With `firstOnly`, stops at
   * the first such node.
   *
   * One probe per suffix, in order. Tried and dropped: touching every
   * suffix's home slot first so the cache misses overlap; on UT1 adult that
   * made hits 10% faster and misses 10-50% slower, and misses are most of
   * the traffic.
   */
  #walk(s: HostSuffixes, upTo: number, firstOnly: boolean): number {
    const mask = this.#mask;
    const capacity = this.#capacity;
    const host = s.host;
    if (s.isIp) {
      const slot = host.length === 0 ? -1 : this.#probe(fingerprintOf(s.fingerprintHash(0) & mask), slotOf(s.slotHash(0) & mask, capacity), IP_PARENT, host, 0, host.length);
      if (slot < 0 || (this.#meta[slot]! & 0xffff) === NO_RULE) return 0;
      this.#walkSlot[0] = slot;
      this.#walkStart[0] = 0;
      return 1;
    }
    let found = 0;
    let parent = ROOT;
    for (let k = 0; k < upTo; k++) {
      const start = s.start(k);
      const slot = this.#probe(fingerprintOf(s.fingerprintHash(k) & mask), slotOf(s.slotHash(k) & mask, capacity), parent, host, start, s.labelEnd(k));
      if (slot < 0) break;
      if ((this.#meta[slot]! & 0xffff) !== NO_RULE) {
        if (found === this.#walkSlot.length) this.#growWalk();
        this.#walkSlot[found] = slot;
        this.#walkStart[found] = start;
        found++;
        if (firstOnly) break;
      }
      parent = slot;
    }
    return found;
  }

  /**
   * Finds every rule filed under `host` or a parent domain of it (only the
   * exact literal when `isIp`); returns how many. Read them with ruleTag(i),
   * ruleData(i), ruleStart(i) for i < count, before the next match():
   * most specific host first, insertion order within one host.
   */
  match(host: string, isIp: boolean): number {
    const s = this.#suffixes.of(host, isIp);
    return this.matchSuffixes(s, s.count);
  }

  /** match() for a host already hashed, over its first `upTo` suffixes. */
  matchSuffixes(s: HostSuffixes, upTo: number = s.count): number {
    const walked = this.#walk(s, upTo, false);
    let count = 0;
    for (let w = walked - 1; w >= 0; w--) {
      const slot = this.#walkSlot[w]!;
      const start = this.#walkStart[w]!;
      const tag = this.#meta[slot]! & 0xffff;
      const data = this.#node[slot * 3 + 2]!;
      if (tag !== CHAINED) {
        count = this.#hit(count, tag, data, start);
        continue;
      }
      const { chainTag, chainData, chainNext } = this.arrays;
      for (let r = data; r !== CHAIN_END; r = chainNext[r]!) {
        count = this.#hit(count, chainTag[r]!, chainData[r]!, start);
      }
    }
    return count;
  }

  /** Whether `host` or any parent domain of it (only the exact literal when `isIp`) has a rule. */
  has(host: string, isIp: boolean): boolean {
    const s = this.#suffixes.of(host, isIp);
    return this.#walk(s, s.count, true) > 0;
  }

  /** has() for a host already hashed, over its first `upTo` suffixes. */
  hasSuffixes(s: HostSuffixes, upTo: number = s.count): boolean {
    return this.#walk(s, upTo, true) > 0;
  }

  /** Tag of the i-th rule found by the last match(). */
  ruleTag(i: number): number {
    return this.#hitTag[i]!;
  }

  /** Data of the i-th rule found by the last match(). */
  ruleData(i: number): number {
    return this.#hitData[i]!;
  }

  /** Where in the host the i-th rule's domain starts: the entry is host.slice(ruleStart(i)). */
  ruleStart(i: number): number {
    return this.#hitStart[i]!;
  }

  #hit(count: number, tag: number, data: number, start: number): number {
    if (count === this.#hitTag.length) {
      this.#hitTag = grow(this.#hitTag, new Uint16Array(count * 2));
      this.#hitData = grow(this.#hitData, new Uint32Array(count * 2));
      this.#hitStart = grow(this.#hitStart, new Int32Array(count * 2));
    }
    this.#hitTag[count] = tag;
    this.#hitData[count] = data;
    this.#hitStart[count] = start;
    return count + 1;
  }

  #growWalk(): void {
    const size = this.#walkSlot.length * 2;
    this.#walkSlot = grow(this.#walkSlot, new Int32Array(size));
    this.#walkStart = grow(this.#walkStart, new Int32Array(size));
  }
}

function grow<A extends Uint16Array | Uint32Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

/**
 * Why `arrays` could not be a table this module wrote, or null when they
 * could: lengths agree, every chain runs forwards (so it ends), every rule
 * tag is below `tagCount`, parents and label offsets are in range, and at
 * least one slot is empty (so every probe ends). Run on every loaded index
 * file, so that no file can make a lookup loop or throw. Sequential passes
 * only: checking that a parent slot is occupied or that a label fits would
 * cost a random access per node (measured: 0.45 s for 4.7M nodes on the
 * project's VMs, against 0.04 s for this), and lookups never follow either
 * without comparing it first.
 */
export function validateTable(arrays: DomainTableArrays, tagCount: number): string | null {
  const { capacity, nodeCount, meta, node, labels, chainTag, chainData, chainNext } = arrays;
  if (!(capacity > nodeCount && capacity <= MAX_CAPACITY)) return `table of ${capacity} slots cannot hold ${nodeCount} nodes`;
  if (meta.length !== capacity || node.length !== capacity * 3) return `table sections hold ${meta.length} and ${node.length / 3} slots, not ${capacity}`;
  const chains = chainTag.length;
  if (chainData.length !== chains || chainNext.length !== chains) return 'table chain sections differ in length';
  for (let i = 0; i < chains; i++) {
    const next = chainNext[i]!;
    if (chainTag[i]! >= tagCount || (next !== CHAIN_END && (next <= i || next >= chains))) return `table chain entry ${i} is out of range`;
  }
  let nodes = 0;
  let rules = chains;
  const labelBytes = labels.length;
  for (let slot = 0; slot < capacity; slot++) {
    const m = meta[slot]!;
    if (m === 0) continue;
    nodes++;
    const tag = m & 0xffff;
    const parent = node[slot * 3]!;
    if (m >>> 16 === 0) return `table slot ${slot} has no fingerprint`;
    if (parent >= capacity && parent !== ROOT && parent !== IP_PARENT) return `table slot ${slot} has a bad parent`;
    if (node[slot * 3 + 1]! >= labelBytes) return `table slot ${slot} has a bad label`;
    if (tag === CHAINED) {
      if (node[slot * 3 + 2]! >= chains) return `table slot ${slot} has a bad rule chain`;
    } else if (tag !== NO_RULE) {
      if (tag >= tagCount) return `table slot ${slot} has a rule tag out of range`;
      rules++;
    }
  }
  if (nodes !== nodeCount) return `table holds ${nodes} nodes, its header says ${nodeCount}`;
  if (rules !== arrays.ruleCount) return `table holds ${rules} rules, its header says ${arrays.ruleCount}`;
  return null;
}
