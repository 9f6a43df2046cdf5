/**
 * domain-table-builder: hosts + rules → a DomainTable (layout and lookup in
 * domain-table.ts). One pass over the entries: each host is hashed right to
 * left once; each suffix is found or created as a node (a new node's label
 * is interned in a build-only label table), and the rule is attached to the
 * host's node, or chained behind the rules already there.
 *
 * Sizing: the slot arrays are allocated once for `expectedHosts` at the
 * target load and only rehashed if the input has many more interior
 * suffixes than that; finish() shrinks a table that ended up sparse, so the
 * result is 16 bytes a slot at a load near TARGET_LOAD whatever the hint.
 * Hosts must be canonical (Latin-1, labels of at most 255 characters);
 * anything else throws WF_ERR_LIST_INVALID, since it could never be stored
 * exactly.
 */
import { WfError, isWfError } from '../errors.ts';
import { CHAINED, CHAIN_END, DomainTable, IP_PARENT, MAX_TAG, NO_RULE, ROOT, type DomainTableArrays } from './domain-table.ts';
import { LABEL_SEED, LabelStore, labelEquals, labelStep } from './label-store.ts';
import { HOST_NOT_IN_TEXT, type DomainColumns } from './list-input.ts';
import { isIpLiteral } from './normalise-url.ts';
import { DOT, MAX_CAPACITY, SEED_A, SEED_B, fingerprintHash, fingerprintOf, slotHash, slotOf, stepA, stepB } from './suffix-hash.ts';

/**
 * Load the slot arrays are sized for. On UT1 adult (4.64M hosts, 4.71M
 * nodes) 0.85 keeps the whole index at 22 bytes a host (0.7 would cost 26,
 * over the 24-byte budget); a miss still scans only about 25 meta words.
 */
const TARGET_LOAD = 0.85;
/** Rehash (grow) beyond this load while building. */
const MAX_LOAD = 0.88;
/** finish() re-sizes a table emptier than this. */
const MIN_LOAD = 0.7;

export interface DomainTableBuilderOptions {
  /** Hosts about to be added (sizes the table once); default 64. */
  expectedHosts?: number;
  /**
   * When given, a rule is dropped if its host's node already holds a rule
   * with a tag in the same group (e.g. the same list): the first one wins.
   */
  sameGroup?: (tagA: number, tagB: number) => boolean;
  /** Tests only: every suffix gets the same slot and fingerprint, so only verification separates them. */
  forceCollisions?: boolean;
  /**
   * Load the slot arrays are sized for (default TARGET_LOAD). Small tables
   * (trusted sites, URL-rule hosts) use a low one: their memory does not
   * matter, and every request walks them.
   */
  targetLoad?: number;
}

/** Whether a canonical host is an IP literal (a cheap test first: most hosts end in a letter). */
export function isIpHost(host: string): boolean {
  const first = host.charCodeAt(0);
  const last = host.charCodeAt(host.length - 1);
  return (first === 91 /* [ */ || (last >= 48 && last <= 57)) && isIpLiteral(host);
}

export class DomainTableBuilder {
  readonly #sameGroup: ((a: number, b: number) => boolean) | undefined;
  readonly #mask: number;
  readonly #load: number;
  #capacity: number;
  #meta: Uint32Array;
  #node: Uint32Array;
  #nodes = 0;
  #rules = 0;
  readonly #labels: LabelStore;
  #chainTag = new Uint16Array(64);
  #chainData = new Uint32Array(64);
  #chainNext = new Uint32Array(64);
  #chains = 0;
  /** Scratch for prefetch(). */
  #ahead = new Int32Array(64);

  constructor(options: DomainTableBuilderOptions = {}) {
    const expected = Math.max(64, Math.ceil(options.expectedHosts ?? 64));
    this.#sameGroup = options.sameGroup;
    this.#mask = options.forceCollisions === true ? 0 : -1;
    this.#load = Math.min(Math.max(options.targetLoad ?? TARGET_LOAD, 0.1), TARGET_LOAD);
    this.#capacity = capacityFor(expected, this.#load);
    this.#meta = new Uint32Array(this.#capacity);
    this.#node = new Uint32Array(this.#capacity * 3);
    // UT1 adult: 0.98M distinct labels, 14 MB, for 4.64M hosts.
    this.#labels = new LabelStore(expected * 4, expected / 4);
  }

  /** Rules added so far (after same-group drops). */
  get ruleCount(): number {
    return this.#rules;
  }

  /**
   * Optional, for speed only: touches the memory that add() will need for
   * these hosts' own nodes and labels. The loads are independent, so their
   * cache misses overlap here instead of queueing one by one inside add()
   * (the parents, `com` and the like, are nearly always cached already).
   * Measured on UT1 adult, five builds each way interleaved in one process,
   * two runs: median 0.75 and 0.76 µs of CPU per domain with batches of 64,
   * 0.83 and 0.98 µs without.
   */
  prefetch(entries: readonly { readonly host: string }[], from: number, to: number): number {
    const count = Math.min(to, entries.length) - from;
    if (count <= 0) return 0;
    const ahead = this.#aheadFor(count);
    for (let k = 0; k < count; k++) {
      const host = entries[from + k]!.host;
      this.#hashAhead(ahead, k, host, 0, host.length);
    }
    return this.#touchAhead(ahead, count);
  }

  /** prefetch() for DomainColumns entries [from, to). */
  prefetchColumns(columns: DomainColumns, from: number, to: number): number {
    const count = Math.min(to, columns.length) - from;
    if (count <= 0) return 0;
    const ahead = this.#aheadFor(count);
    const { text, start, end, extra } = columns;
    for (let k = 0; k < count; k++) {
      const e = end[from + k]!;
      if (e === HOST_NOT_IN_TEXT) {
        const host = extra[start[from + k]!]!;
        this.#hashAhead(ahead, k, host, 0, host.length);
      } else {
        this.#hashAhead(ahead, k, text, start[from + k]!, e);
      }
    }
    return this.#touchAhead(ahead, count);
  }

  #aheadFor(count: number): Int32Array {
    if (this.#ahead.length < count * 2) this.#ahead = new Int32Array(count * 2);
    return this.#ahead;
  }

  /** Records text[from, to)'s own slot and last label hash at ahead[2k], ahead[2k + 1]. */
  #hashAhead(ahead: Int32Array, k: number, text: string, from: number, to: number): void {
    let a = SEED_A;
    let b = SEED_B;
    let la = LABEL_SEED;
    for (let i = to - 1; i >= from; i--) {
      const c = text.charCodeAt(i);
      a = stepA(a, c);
      b = stepB(b, c);
      la = c === DOT ? LABEL_SEED : labelStep(la, c);
    }
    ahead[2 * k] = slotOf(slotHash(a, b) & this.#mask, this.#capacity);
    ahead[2 * k + 1] = la;
  }

  #touchAhead(ahead: Int32Array, count: number): number {
    let sink = 0;
    for (let k = 0; k < count; k++) {
      const slot = ahead[2 * k]!;
      sink += this.#meta[slot]! + this.#node[slot * 3]! + this.#labels.touch(ahead[2 * k + 1]! >>> 0);
    }
    return sink;
  }

  /**
   * Files rule (tag, data) under `host` (canonical; `isIp` as isIpHost says).
   * Returns false when the host is empty or sameGroup dropped the rule.
   */
  add(host: string, isIp: boolean, tag: number, data: number): boolean {
    return this.#add(host, 0, host.length, isIp, tag, data);
  }

  /**
   * add() for the host text[from, to), without cutting it out of `text`
   * (DomainColumns keeps hosts in their file's text).
   */
  addRange(text: string, from: number, to: number, isIp: boolean, tag: number, data: number): boolean {
    try {
      return this.#add(text, from, to, isIp, tag, data);
    } catch (error) {
      // The label store's error quotes its `host` argument, here the whole text: the same
      // host again, cut out, fails at the same label (the nodes before it now exist) and
      // names only the host. Nothing is built after this error (it ends the compile).
      if (isWfError(error, 'WF_ERR_LIST_INVALID') && (from !== 0 || to !== text.length)) this.add(text.slice(from, to), isIp, tag, data);
      throw error;
    }
  }

  #add(text: string, from: number, to: number, isIp: boolean, tag: number, data: number): boolean {
    const length = to - from;
    if (length <= 0) return false;
    if (!(tag >= 0 && tag <= MAX_TAG && Number.isInteger(tag))) throw new RangeError(`rule tag ${tag} out of range`);
    // At most length + 1 new nodes: grow now, so slots stay put during the walk.
    if (this.#nodes + length + 1 > this.#capacity * MAX_LOAD * (this.#load / TARGET_LOAD)) this.#rehash(capacityFor((this.#nodes + length + 1) * 1.5, this.#load));
    let a = SEED_A;
    let b = SEED_B;
    let la = LABEL_SEED;
    if (isIp) {
      for (let i = to - 1; i >= from; i--) {
        const c = text.charCodeAt(i);
        a = stepA(a, c);
        b = stepB(b, c);
      }
      // The label is the whole literal, and lane A is the label hash fed the same characters.
      return this.#attach(this.#nodeFor(a, b, a, IP_PARENT, text, from, to), tag, data);
    }
    let parent = ROOT;
    let end = to;
    for (let i = end - 1; ; i--) {
      const c = i >= from ? text.charCodeAt(i) : DOT;
      if (c === DOT) {
        parent = this.#nodeFor(a, b, la, parent, text, i + 1, end);
        if (i < from) break;
        end = i;
        la = LABEL_SEED;
      } else {
        la = labelStep(la, c);
      }
      a = stepA(a, c);
      b = stepB(b, c);
    }
    return this.#attach(parent, tag, data);
  }

  /** Slot of the node (parent, host[start, end)), created if missing. */
  #nodeFor(a: number, b: number, labelHash: number, parent: number, host: string, start: number, end: number): number {
    const capacity = this.#capacity;
    const meta = this.#meta;
    const fp = fingerprintOf(fingerprintHash(a, b) & this.#mask);
    let slot = slotOf(slotHash(a, b) & this.#mask, capacity);
    for (;;) {
      const m = meta[slot]!;
      if (m === 0) break;
      if (m >>> 16 === fp && this.#node[slot * 3] === parent && labelEquals(this.#labels.bytes, this.#node[slot * 3 + 1]!, host, start, end)) return slot;
      if (++slot === capacity) slot = 0;
    }
    meta[slot] = ((fp << 16) | NO_RULE) >>> 0;
    this.#node[slot * 3] = parent;
    this.#node[slot * 3 + 1] = this.#labels.intern(labelHash >>> 0, host, start, end);
    this.#nodes++;
    return slot;
  }

  /** Attaches rule (tag, data) to a node, after its existing rules. */
  #attach(slot: number, tag: number, data: number): boolean {
    const meta = this.#meta[slot]!;
    const current = meta & 0xffff;
    const at = slot * 3 + 2;
    if (current === NO_RULE) {
      this.#meta[slot] = (meta - NO_RULE + tag) >>> 0;
      this.#node[at] = data;
      this.#rules++;
      return true;
    }
    const sameGroup = this.#sameGroup;
    if (current !== CHAINED) {
      if (sameGroup !== undefined && sameGroup(current, tag)) return false;
      const head = this.#chain(current, this.#node[at]!);
      this.#chainNext[head] = this.#chain(tag, data);
      this.#meta[slot] = (meta - current + CHAINED) >>> 0;
      this.#node[at] = head;
      this.#rules++;
      return true;
    }
    let last = this.#node[at]!;
    for (;;) {
      if (sameGroup !== undefined && sameGroup(this.#chainTag[last]!, tag)) return false;
      const next = this.#chainNext[last]!;
      if (next === CHAIN_END) break;
      last = next;
    }
    this.#chainNext[last] = this.#chain(tag, data);
    this.#rules++;
    return true;
  }

  /** A new chain entry, last in its chain. */
  #chain(tag: number, data: number): number {
    if (this.#chains === this.#chainTag.length) {
      const size = this.#chains * 2;
      this.#chainTag = copyInto(new Uint16Array(size), this.#chainTag);
      this.#chainData = copyInto(new Uint32Array(size), this.#chainData);
      this.#chainNext = copyInto(new Uint32Array(size), this.#chainNext);
    }
    const i = this.#chains++;
    this.#chainTag[i] = tag;
    this.#chainData[i] = data;
    this.#chainNext[i] = CHAIN_END;
    return i;
  }

  /**
   * Moves every node to a table of `capacity` slots and renumbers parents.
   * Slot hashes are not kept (4 more bytes and one more cache miss per node
   * while building), so each node's suffix hash is recomputed from its
   * parent's and its label, parents first.
   */
  #rehash(capacity: number): void {
    const oldMeta = this.#meta;
    const oldNode = this.#node;
    const oldCapacity = oldMeta.length;
    const laneA = new Int32Array(oldCapacity);
    const laneB = new Int32Array(oldCapacity);
    const done = new Uint8Array(oldCapacity);
    const pending: number[] = [];
    const meta = new Uint32Array(capacity);
    const node = new Uint32Array(capacity * 3);
    const moved = new Uint32Array(oldCapacity);
    const labels = this.#labels.bytes;
    for (let from = 0; from < oldCapacity; from++) {
      if (oldMeta[from] === 0) continue;
      for (let s = from; done[s] === 0; ) {
        pending.push(s);
        const p = oldNode[s * 3]!;
        if (p === ROOT || p === IP_PARENT) break;
        s = p;
      }
      while (pending.length > 0) {
        const s = pending.pop()!;
        const p = oldNode[s * 3]!;
        let a = SEED_A;
        let b = SEED_B;
        if (p !== ROOT && p !== IP_PARENT) {
          a = stepA(laneA[p]!, DOT);
          b = stepB(laneB[p]!, DOT);
        }
        const off = oldNode[s * 3 + 1]!;
        for (let k = labels[off]!; k > 0; k--) {
          a = stepA(a, labels[off + k]!);
          b = stepB(b, labels[off + k]!);
        }
        laneA[s] = a;
        laneB[s] = b;
        done[s] = 1;
      }
      let slot = slotOf(slotHash(laneA[from]!, laneB[from]!) & this.#mask, capacity);
      while (meta[slot] !== 0) if (++slot === capacity) slot = 0;
      moved[from] = slot;
      meta[slot] = oldMeta[from]!;
      node.set(oldNode.subarray(from * 3, from * 3 + 3), slot * 3);
    }
    for (let slot = 0; slot < capacity; slot++) {
      const parent = node[slot * 3]!;
      if (meta[slot] !== 0 && parent !== ROOT && parent !== IP_PARENT) node[slot * 3] = moved[parent]!;
    }
    this.#capacity = capacity;
    this.#meta = meta;
    this.#node = node;
  }

  /** The finished table; the builder must not be used afterwards. */
  finish(): DomainTable {
    if (this.#nodes < this.#capacity * MIN_LOAD * (this.#load / TARGET_LOAD)) this.#rehash(capacityFor(this.#nodes, this.#load));
    const arrays: DomainTableArrays = {
      capacity: this.#capacity,
      nodeCount: this.#nodes,
      ruleCount: this.#rules,
      hashMask: this.#mask >>> 0,
      meta: this.#meta,
      node: this.#node,
      labels: this.#labels.finish(),
      chainTag: this.#chainTag.slice(0, this.#chains),
      chainData: this.#chainData.slice(0, this.#chains),
      chainNext: this.#chainNext.slice(0, this.#chains),
    };
    return new DomainTable(arrays);
  }
}

/** Slots for `nodes` nodes at `load` (at least one slot always stays empty). */
function capacityFor(nodes: number, load: number): number {
  const capacity = Math.max(16, Math.ceil(nodes / load) + 1);
  if (capacity > MAX_CAPACITY) {
    throw new WfError('WF_ERR_LIST_INVALID', `too many domain entries to index (${nodes} suffixes; at most ${Math.floor(MAX_CAPACITY * TARGET_LOAD)})`);
  }
  return capacity;
}

function copyInto<A extends Uint16Array | Uint32Array>(to: A, from: A): A {
  to.set(from);
  return to;
}
