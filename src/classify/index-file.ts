/**
 * index-file: a CompiledIndex as one binary file, and back. Loading makes
 * typed-array views over the file's bytes (no copy, no per-domain work
 * beyond one validation pass), so millions of domains load in milliseconds.
 *
 * Layout (little-endian; every section starts on an 8-byte boundary):
 *
 *   0   magic        8 bytes  89 'W' 'G' 'I' 'D' 'X' 0d 0a (PNG-style: catches 7-bit and newline mangling)
 *   8   u32 version  FORMAT_VERSION; another version is rejected, never guessed at
 *   12  u32 checksum of bytes [16, end): 4-lane multiply-rotate hash over 32-bit
 *                    words (xxHash32's round); any single-word change is caught
 *   16  u32 byteLength of the whole file (a truncated file is caught first)
 *   20  u32 offset, u32 length of the fingerprint (UTF-8, the caller's: what the lists were)
 *   28  u32 offset, u32 length of the meta JSON (lists, rule sources,
 *                    keyword rules, trusted hosts, exception words, table
 *                    scalars, and each section's offset and element count)
 *   36  reserved to 64
 *   64  fingerprint, then the domain table's sections (domain-table.ts), the
 *       URL table's (url-table.ts: its host table, then its own), then meta
 *
 * Version 2 moved the URL rules from meta tuples to the URL table's
 * sections, so opening an index builds nothing per URL rule either.
 *
 * Every fault is WF_ERR_LIST_INVALID naming what is wrong, so a caller can
 * rebuild from the lists. A file whose checksum matches is still checked for
 * structure (slot, label, chain and list references in range, an empty slot
 * left) so that no file can make a lookup loop or throw. Files are written
 * and read on little-endian machines only (every platform Node supports
 * today); a big-endian host refuses both.
 */
import { WfError } from '../errors.ts';
import { CompiledIndex, type CompiledIndexParts } from './compiled-index.ts';
import { DomainTable, validateTable, type DomainTableArrays } from './domain-table.ts';
import { TABLE_SECTIONS, URL_HOST_SECTIONS, parseMeta, toMeta, type SectionName } from './index-meta.ts';
import { validateUrlTable, type UrlTableArrays } from './url-table.ts';

export const FORMAT_VERSION = 2;
const MAGIC = [0x89, 0x57, 0x47, 0x49, 0x44, 0x58, 0x0d, 0x0a] as const;
const HEADER_BYTES = 64;
const CHECKED_FROM = 16;
/** Where the checksummed range starts (it runs to the end of the file). */
export const CHECKSUM_FROM = CHECKED_FROM;

export interface IndexHeader {
  readonly version: number;
  readonly byteLength: number;
  /** What the caller said the index was built from (file sizes and times, or a content hash). */
  readonly fingerprint: string;
}

export interface LoadedIndex extends IndexHeader {
  readonly index: CompiledIndex;
}

export interface LoadIndexOptions {
  /** Check the checksum (default true). */
  verifyChecksum?: boolean;
  /**
   * Check the table's structure (default true). False only for bytes that
   * were checked a moment ago in this process and never left memory: the
   * list compiler's worker thread checks what it built before handing it
   * over, so a reload does not repeat that on the main thread.
   */
  checkStructure?: boolean;
  /**
   * checksum(bytes, 16), when the caller computed it while reading the file
   * (compiled-lists.ts overlaps it with the read): compared with the stored
   * one instead of hashing the bytes again.
   */
  computedChecksum?: number;
}

function invalid(why: string): WfError {
  return new WfError('WF_ERR_LIST_INVALID', `compiled index file is unusable: ${why}; rebuild it from the lists`);
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw invalid('this machine is big-endian; index files are little-endian');
}

const align8 = (n: number): number => (n + 7) & ~7;

type TypedArray = Uint8Array | Uint16Array | Uint32Array;

/** Serialises `index` with the caller's `fingerprint` of the lists it was built from. */
export function serialiseIndex(index: CompiledIndex, fingerprint: string): Buffer {
  assertLittleEndian();
  const fingerprintBytes = Buffer.from(fingerprint, 'utf8');
  const tableViews = (names: typeof TABLE_SECTIONS | typeof URL_HOST_SECTIONS, t: DomainTableArrays): [SectionName, TypedArray][] => {
    const views = [t.meta, t.node, t.labels, t.chainTag, t.chainData, t.chainNext];
    return names.map((name, i) => [name, views[i]!]);
  };
  const u = index.urls;
  const sections: [SectionName, TypedArray][] = [
    ...tableViews(TABLE_SECTIONS, index.domains.arrays),
    ...tableViews(URL_HOST_SECTIONS, u.hosts),
    ['urlBucketStart', u.bucketStart], ['urlSortedStart', u.sortedStart], ['urlSorted', u.sorted], ['urlPrefixStart', u.prefixStart],
    ['urlPrefixChars', u.prefixChars], ['urlEntryStart', u.entryStart], ['urlEntryChars', u.entryChars], ['urlSource', u.source], ['urlLine', u.line],
  ];
  let offset = align8(HEADER_BYTES + fingerprintBytes.length);
  const placed: Partial<Record<SectionName, [number, number]>> = {};
  for (const [name, view] of sections) {
    placed[name] = [offset, view.length];
    offset = align8(offset + view.byteLength);
  }
  const metaBytes = Buffer.from(JSON.stringify(toMeta(index, placed as Record<SectionName, [number, number]>)), 'utf8');
  const metaOffset = offset;
  const total = align8(metaOffset + metaBytes.length);
  if (total > 0xffffffff) throw new WfError('WF_ERR_LIST_INVALID', `compiled index would be ${total} bytes; the format holds at most 4 GiB`);
  const out = Buffer.alloc(total);
  out.set(MAGIC, 0);
  out.writeUInt32LE(FORMAT_VERSION, 8);
  out.writeUInt32LE(total, 16);
  out.writeUInt32LE(HEADER_BYTES, 20);
  out.writeUInt32LE(fingerprintBytes.length, 24);
  out.writeUInt32LE(metaOffset, 28);
  out.writeUInt32LE(metaBytes.length, 32);
  out.set(fingerprintBytes, HEADER_BYTES);
  for (const [name, view] of sections) out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), placed[name]![0]);
  out.set(metaBytes, metaOffset);
  out.writeUInt32LE(checksum(out, CHECKED_FROM), 12);
  return out;
}

/**
 * The header of an index file (magic, version, length, fingerprint), from
 * the whole file or just its first bytes: enough to decide whether a file
 * is current without loading it. Throws WF_ERR_LIST_INVALID.
 */
export function readIndexHeader(bytes: Uint8Array): IndexHeader {
  if (bytes.length < HEADER_BYTES) throw invalid(`truncated (${bytes.length} bytes, shorter than the header)`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw invalid('not a wardgate index (wrong magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw invalid(`format version ${version}, this wardgate reads version ${FORMAT_VERSION}`);
  const byteLength = view.getUint32(16, true);
  const fpOffset = view.getUint32(20, true);
  const fpLength = view.getUint32(24, true);
  if (fpOffset !== HEADER_BYTES || fpOffset + fpLength > byteLength) throw invalid('bad fingerprint position');
  if (fpOffset + fpLength > bytes.length) throw invalid('truncated (in the fingerprint)');
  const fingerprint = Buffer.from(bytes.buffer, bytes.byteOffset + fpOffset, fpLength).toString('utf8');
  return { version, byteLength, fingerprint };
}

/**
 * Checks what can be checked of an index file without opening it: header,
 * length and (unless told not to) checksum. Returns the header. Throws
 * WF_ERR_LIST_INVALID. loadIndex() runs it first; a caller that only hands
 * the bytes on (to worker threads, which load them) runs it alone.
 */
export function checkIndexBytes(bytes: Uint8Array, options: Pick<LoadIndexOptions, 'verifyChecksum' | 'computedChecksum'> = {}): IndexHeader {
  assertLittleEndian();
  const header = readIndexHeader(bytes);
  if (bytes.length !== header.byteLength) {
    throw invalid(bytes.length < header.byteLength ? `truncated (${bytes.length} of ${header.byteLength} bytes)` : `${bytes.length - header.byteLength} bytes of trailing data`);
  }
  if (options.verifyChecksum !== false) {
    const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
    // checksum() reads 32-bit words: bytes at an odd offset are hashed from an aligned copy.
    const computed = options.computedChecksum ?? checksum(bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes), CHECKED_FROM);
    if (computed !== stored) throw invalid('checksum mismatch (the file is corrupt)');
  }
  return header;
}

/** Loads an index file (views over `bytes`, which must not be modified afterwards). Throws WF_ERR_LIST_INVALID. */
export function loadIndex(bytes: Uint8Array, options: LoadIndexOptions = {}): LoadedIndex {
  // Typed-array views need aligned offsets: a large file read by fs has its
  // own ArrayBuffer at offset 0; a small pooled Buffer may not, so copy it.
  const file = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const header = checkIndexBytes(file, options);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const metaOffset = view.getUint32(28, true);
  const metaLength = view.getUint32(32, true);
  if (metaOffset + metaLength > file.length) throw invalid('bad meta position');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(file.buffer, file.byteOffset + metaOffset, metaLength).toString('utf8'));
  } catch (error) {
    throw invalid(`meta is not JSON (${(error as Error).message})`);
  }
  const meta = parseMeta(raw, invalid);
  const section = <T>(name: SectionName, make: (buffer: ArrayBuffer, offset: number, length: number) => T, size: number): T => {
    const [offset, length] = meta.sections[name];
    if (offset % 8 !== 0 || offset < HEADER_BYTES || offset + length * size > metaOffset) throw invalid(`bad section ${name}`);
    return make(file.buffer as ArrayBuffer, file.byteOffset + offset, length);
  };
  const u8 = (b: ArrayBuffer, o: number, n: number) => new Uint8Array(b, o, n);
  const u16 = (b: ArrayBuffer, o: number, n: number) => new Uint16Array(b, o, n);
  const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
  const table = (names: typeof TABLE_SECTIONS | typeof URL_HOST_SECTIONS, scalars: typeof meta.table): DomainTableArrays => ({
    ...scalars,
    meta: section(names[0], u32, 4),
    node: section(names[1], u32, 4),
    labels: section(names[2], u8, 1),
    chainTag: section(names[3], u16, 2),
    chainData: section(names[4], u32, 4),
    chainNext: section(names[5], u32, 4),
  });
  const arrays = table(TABLE_SECTIONS, meta.table);
  const urls: UrlTableArrays = {
    hosts: table(URL_HOST_SECTIONS, meta.urlHostTable),
    bucketStart: section('urlBucketStart', u32, 4),
    sortedStart: section('urlSortedStart', u32, 4),
    sorted: section('urlSorted', u32, 4),
    prefixStart: section('urlPrefixStart', u32, 4),
    prefixChars: section('urlPrefixChars', u16, 2),
    entryStart: section('urlEntryStart', u32, 4),
    entryChars: section('urlEntryChars', u16, 2),
    source: section('urlSource', u32, 4),
    line: section('urlLine', u32, 4),
  };
  if (options.checkStructure !== false) {
    const problem = validateTable(arrays, meta.parts.sources.length) ?? validateUrlTable(urls, meta.parts.sources.length);
    if (problem !== null) throw invalid(problem);
  }
  const parts: CompiledIndexParts = { ...meta.parts, domains: new DomainTable(arrays), urls };
  return { ...header, index: new CompiledIndex(parts) };
}

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;

/**
 * Checksum of bytes[from, end) as 32-bit words (`from` and the length are
 * multiples of 4). Four independent lanes let the CPU overlap the
 * multiplies. Not cryptographic: it catches corruption, not forgery.
 */
export function checksum(bytes: Uint8Array, from: number): number {
  const state = new ChecksumState();
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + from, (bytes.length - from) >>> 2);
  return state.finish(words, state.update(words));
}

/**
 * checksum() a piece at a time, for a reader that checksums what it has
 * while the next piece is read (compiled-lists.ts): update() with whole
 * 4-word groups in file order, then finish() with the words after the last
 * group. Same result as checksum() over the whole range.
 */
export class ChecksumState {
  #v1 = (P1 + P2) | 0;
  #v2 = P2;
  #v3 = 0;
  #v4 = -P1 | 0;
  #words = 0;

  /** Folds in the whole 4-word groups of `words`; returns how many words it used (the rest wait for the next call or finish). */
  update(words: Uint32Array): number {
    let v1 = this.#v1;
    let v2 = this.#v2;
    let v3 = this.#v3;
    let v4 = this.#v4;
    const limit = words.length - (words.length & 3);
    for (let i = 0; i < limit; i += 4) {
      v1 = round(v1, words[i]!);
      v2 = round(v2, words[i + 1]!);
      v3 = round(v3, words[i + 2]!);
      v4 = round(v4, words[i + 3]!);
    }
    this.#v1 = v1;
    this.#v2 = v2;
    this.#v3 = v3;
    this.#v4 = v4;
    this.#words += limit;
    return limit;
  }

  /** The checksum, given the words of `rest` from `from` on (fewer than 4: the range's last words). */
  finish(rest: Uint32Array, from = 0): number {
    const tail = rest.length - from;
    const n = this.#words + tail;
    let h = (rotl(this.#v1, 1) + rotl(this.#v2, 7) + rotl(this.#v3, 12) + rotl(this.#v4, 18) + n) | 0;
    for (let i = from; i < rest.length; i++) h = Math.imul(rotl((h + Math.imul(rest[i]!, P3)) | 0, 17), P1);
    h = Math.imul(h ^ (h >>> 15), P2);
    h = Math.imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }
}

function round(acc: number, word: number): number {
  return Math.imul(rotl((acc + Math.imul(word, P2)) | 0, 13), P1);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}
