/**
 * label-store: the labels of a DomainTable's nodes, each distinct label
 * stored once in one Latin-1 byte array as [length][bytes], and the
 * build-only intern table that finds a label already stored.
 *
 * On UT1 adult (4.64M domains) 0.98M distinct labels take 14 MB, 3 bytes a
 * domain, where one copy per node would take 14 bytes. Sorted lists put
 * repeats next to each other (`x.blogspot.be`, `x.blogspot.ca`, …), and
 * checking the label stored last first finds all but 4 of UT1 adult's
 * repeats without a random access into the intern table.
 */
import { WfError } from '../errors.ts';
import { SEED_A, stepA } from './suffix-hash.ts';

/** Whether the label at `off` in `labels` is exactly host[start, end). */
export function labelEquals(labels: Uint8Array, off: number, host: string, start: number, end: number): boolean {
  const len = end - start;
  if (labels[off] !== len) return false;
  for (let i = 0; i < len; i++) {
    if (labels[off + 1 + i] !== host.charCodeAt(start + i)) return false;
  }
  return true;
}

/** Label hash: fed like lane A, right to left, from SEED_A at each label's end. */
export const LABEL_SEED = SEED_A;
export const labelStep = stepA;

function invalidHost(host: string, why: string): WfError {
  const shown = host.length > 80 ? `${host.slice(0, 80)}…` : host;
  return new WfError('WF_ERR_LIST_INVALID', `host ${JSON.stringify(shown)} cannot be indexed: ${why}`);
}

const internSlot = (hash: number, mask: number): number => (hash ^ (hash >>> 15)) & mask;

export class LabelStore {
  #bytes: Uint8Array;
  #length = 0;
  /** Pairs of (offset + 1, label hash); offset 0 marks an empty entry. Size a power of two. */
  #intern: Uint32Array;
  #interned = 0;
  #last = -1;

  /** `expectedLabels` sizes the intern table (it grows past half full). */
  constructor(expectedBytes: number, expectedLabels: number) {
    this.#bytes = new Uint8Array(Math.max(256, expectedBytes));
    this.#intern = new Uint32Array(2 * 2 ** Math.ceil(Math.log2(Math.max(64, expectedLabels * 2))));
  }

  /** Current bytes (a view that the next intern() may replace). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /**
   * Offset of label host[start, end) (hash: LABEL_SEED fed with its
   * characters right to left), appended if new. Throws WF_ERR_LIST_INVALID
   * for a label that cannot be stored exactly.
   */
  intern(hash: number, host: string, start: number, end: number): number {
    const last = this.#last;
    if (last >= 0 && labelEquals(this.#bytes, last, host, start, end)) return last;
    const intern = this.#intern;
    const mask = (intern.length >>> 1) - 1;
    let i = internSlot(hash, mask);
    for (let off = intern[2 * i]!; off !== 0; off = intern[2 * i]!) {
      if (intern[2 * i + 1] === hash && labelEquals(this.#bytes, off - 1, host, start, end)) return (this.#last = off - 1);
      i = (i + 1) & mask;
    }
    const off = this.#append(host, start, end);
    intern[2 * i] = off + 1;
    intern[2 * i + 1] = hash;
    if (++this.#interned * 2 > intern.length >>> 1) this.#grow();
    return (this.#last = off);
  }

  /** Reads the intern entry `hash` would start at (for DomainTableBuilder.prefetch). */
  touch(hash: number): number {
    return this.#intern[2 * internSlot(hash, (this.#intern.length >>> 1) - 1)]!;
  }

  /** The stored labels, trimmed; the store must not be used afterwards. */
  finish(): Uint8Array {
    const bytes = this.#bytes.slice(0, this.#length);
    this.#bytes = new Uint8Array(0);
    this.#intern = new Uint32Array(0);
    return bytes;
  }

  #append(host: string, start: number, end: number): number {
    const len = end - start;
    if (len > 255) throw invalidHost(host, 'a label is longer than 255 characters');
    if (this.#length + len + 1 > this.#bytes.length) {
      const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + len + 1));
      bigger.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = bigger;
    }
    const bytes = this.#bytes;
    const off = this.#length;
    bytes[off] = len;
    for (let k = 0; k < len; k++) {
      const c = host.charCodeAt(start + k);
      if (c > 255) throw invalidHost(host, 'it is not Latin-1 (hosts are stored in canonical ASCII form)');
      bytes[off + 1 + k] = c;
    }
    this.#length += len + 1;
    return off;
  }

  #grow(): void {
    const old = this.#intern;
    const intern = new Uint32Array(old.length * 2);
    const mask = (intern.length >>> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === 0) continue;
      let i = internSlot(old[j + 1]!, mask);
      while (intern[2 * i] !== 0) i = (i + 1) & mask;
      intern[2 * i] = old[j]!;
      intern[2 * i + 1] = old[j + 1]!;
    }
    this.#intern = intern;
  }
}
