/**
 * url-table: the URL-prefix rules as flat typed arrays, which an index file
 * stores as they are (index-file.ts) and url-index.ts looks up without
 * building anything first. Before this, opening the UT1 index turned 21,000
 * rules into host buckets, sorted prefix lists and RuleMatch objects on the
 * thread that serves requests: 85–230 ms at every start and every reload
 * swap (measured on the project's VMs), and as long again in every
 * `classify --jobs` worker.
 *
 * Layout, for R rules filed under B hosts ("buckets"):
 * - `hosts`: a DomainTable (domain-table.ts) of the rules' hosts; a host's
 *   one rule is (tag 0, data = its bucket), so a walk from a target's host
 *   finds the buckets of the host and each of its parents.
 * - `bucketStart` (B + 1): bucket b's rules are [bucketStart[b],
 *   bucketStart[b + 1]), in the order a lookup reports them: longest prefix
 *   first; rules with equal prefixes next to each other, in list order.
 *   Two different prefixes of one length can never both start a path, so
 *   the order among them is never seen; putting equal ones together lets a
 *   sorted search hand out a prefix's rules as one run.
 * - `sortedStart` (B + 1) and `sorted`: for a bucket of more than
 *   SORTED_BUCKET_MIN rules, its distinct prefixes in code-unit order, each
 *   as the number of its first rule (url-index.ts searches them); an empty
 *   range for a smaller bucket, which a lookup scans.
 * - Per rule: its prefix and its entry as UTF-16 code units
 *   (`prefixChars`/`entryChars`, ranges in `prefixStart`/`entryStart`, R + 1
 *   each), the index of its (list, file) in CompiledIndex.sources, and its
 *   line.
 *
 * validateUrlTable() checks every range and reference, so that no index
 * file can make a lookup read out of bounds or loop.
 */
import { DomainTableBuilder, isIpHost } from './domain-table-builder.ts';
import { CHAINED, NO_RULE, validateTable, type DomainTableArrays } from './domain-table.ts';

/**
 * Rules in a host's bucket above which a lookup searches its sorted
 * distinct prefixes instead of comparing every one. UT1 has hosts with
 * hundreds or thousands of URL entries (github.com 1,713, img1.wsimg.com
 * 1,105, docs.google.com 467 at the 2025 snapshot). Filing them by first
 * path segment was not enough: img1.wsimg.com's 1,105 all start `/blobby/`,
 * so every request to it compared 1,105 prefixes (110 µs); the sorted search
 * costs a few binary searches whatever the prefixes share (bench/README.md
 * has the measured gain).
 */
export const SORTED_BUCKET_MIN = 16;

/**
 * Load of the host table's slot array. It is small (thousands of hosts) and
 * walked on every request to a host with URL rules, so it trades memory for
 * short probes: at the big domain table's 0.85 a miss scans ~25 slots.
 */
const HOST_TABLE_LOAD = 0.25;

/** One URL-prefix rule, as compileIndex() hands it to buildUrlTable(). */
export interface UrlTableRule {
  /** Canonical host, leading `www.` dropped. */
  readonly host: string;
  /** Never empty (pathless URL entries are domain rules). */
  readonly pathPrefix: string;
  readonly entry: string;
  /** Index into CompiledIndex.sources: the rule's list and file. */
  readonly source: number;
  readonly line: number;
}

export interface UrlTableArrays {
  readonly hosts: DomainTableArrays;
  readonly bucketStart: Uint32Array;
  readonly sortedStart: Uint32Array;
  readonly sorted: Uint32Array;
  readonly prefixStart: Uint32Array;
  readonly prefixChars: Uint16Array;
  readonly entryStart: Uint32Array;
  readonly entryChars: Uint16Array;
  readonly source: Uint32Array;
  readonly line: Uint32Array;
}

/** Orders one host's rules as a lookup reports them (see the layout above). */
function byLookupOrder(a: UrlTableRule, b: UrlTableRule): number {
  if (a.pathPrefix.length !== b.pathPrefix.length) return b.pathPrefix.length - a.pathPrefix.length;
  // Code-unit order (what `<` compares); Array#sort is stable, so equal prefixes keep list order.
  return a.pathPrefix < b.pathPrefix ? -1 : a.pathPrefix > b.pathPrefix ? 1 : 0;
}

/** Packs strings into one code-unit array; `start` gets each one's offset, plus the end. */
function packChars(strings: readonly string[], start: Uint32Array): Uint16Array {
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    start[i] = total;
    total += strings[i]!.length;
  }
  start[strings.length] = total;
  const chars = new Uint16Array(total);
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]!;
    const at = start[i]!;
    for (let c = 0; c < s.length; c++) chars[at + c] = s.charCodeAt(c);
  }
  return chars;
}

/**
 * Builds the table for `rules` (in list order; repeats already dropped by
 * the caller). A rule with an empty prefix is skipped: without a path it is
 * a domain rule, which the domain table holds.
 */
export function buildUrlTable(rules: readonly UrlTableRule[]): UrlTableArrays {
  const byHost = new Map<string, UrlTableRule[]>();
  for (const rule of rules) {
    if (rule.pathPrefix.length === 0) continue;
    const own = byHost.get(rule.host);
    if (own === undefined) byHost.set(rule.host, [rule]);
    else own.push(rule);
  }
  const builder = new DomainTableBuilder({ expectedHosts: byHost.size, targetLoad: HOST_TABLE_LOAD });
  const ordered: UrlTableRule[] = [];
  const bucketStart = new Uint32Array(byHost.size + 1);
  const sortedStart = new Uint32Array(byHost.size + 1);
  const sorted: number[] = [];
  let bucket = 0;
  for (const [host, own] of byHost) {
    own.sort(byLookupOrder);
    // Every host is added once, so its node gets exactly this one rule.
    builder.add(host, isIpHost(host), 0, bucket);
    const first = ordered.length;
    bucketStart[bucket] = first;
    sortedStart[bucket] = sorted.length;
    for (const rule of own) ordered.push(rule);
    if (own.length > SORTED_BUCKET_MIN) {
      const distinct: number[] = [];
      for (let i = 0; i < own.length; i++) if (i === 0 || own[i]!.pathPrefix !== own[i - 1]!.pathPrefix) distinct.push(first + i);
      distinct.sort((a, b) => (ordered[a]!.pathPrefix < ordered[b]!.pathPrefix ? -1 : 1));
      for (const r of distinct) sorted.push(r);
    }
    bucket++;
  }
  bucketStart[bucket] = ordered.length;
  sortedStart[bucket] = sorted.length;
  const prefixStart = new Uint32Array(ordered.length + 1);
  const entryStart = new Uint32Array(ordered.length + 1);
  return {
    hosts: builder.finish().arrays,
    bucketStart,
    sortedStart,
    sorted: Uint32Array.from(sorted),
    prefixStart,
    prefixChars: packChars(ordered.map((r) => r.pathPrefix), prefixStart),
    entryStart,
    entryChars: packChars(ordered.map((r) => r.entry), entryStart),
    source: Uint32Array.from(ordered, (r) => r.source),
    line: Uint32Array.from(ordered, (r) => r.line),
  };
}

/** Number of rules in the table. */
export function urlRuleCount(table: UrlTableArrays): number {
  return table.line.length;
}

/** Characters [from, to) of `chars` as a string (in pieces: String.fromCharCode takes its input as arguments). */
export function charsToString(chars: Uint16Array, from: number, to: number): string {
  const PIECE = 4096;
  if (to - from <= PIECE) return String.fromCharCode.apply(null, chars.subarray(from, to) as unknown as number[]);
  let out = '';
  for (let at = from; at < to; at += PIECE) out += String.fromCharCode.apply(null, chars.subarray(at, Math.min(to, at + PIECE)) as unknown as number[]);
  return out;
}

/** Whether `start` runs from 0 to `end`, never decreasing (strictly rising when `nonEmpty`). */
function isRangeIndex(start: Uint32Array, end: number, nonEmpty: boolean): boolean {
  if (start.length === 0 || start[0] !== 0 || start[start.length - 1] !== end) return false;
  for (let i = 1; i < start.length; i++) {
    if (nonEmpty ? start[i]! <= start[i - 1]! : start[i]! < start[i - 1]!) return false;
  }
  return true;
}

/**
 * Why `t` could not be a table buildUrlTable() made for `sourceCount`
 * sources, or null when it could: every range, bucket number, sorted rule
 * and source in range, the host table sound (validateTable).
 */
export function validateUrlTable(t: UrlTableArrays, sourceCount: number): string | null {
  const rules = t.line.length;
  if (t.source.length !== rules || t.prefixStart.length !== rules + 1 || t.entryStart.length !== rules + 1) return 'URL rule sections differ in length';
  if (!isRangeIndex(t.prefixStart, t.prefixChars.length, true)) return 'URL rule prefixes are out of range';
  if (!isRangeIndex(t.entryStart, t.entryChars.length, false)) return 'URL rule entries are out of range';
  for (let r = 0; r < rules; r++) if (t.source[r]! >= sourceCount) return `URL rule ${r} has a source out of range`;
  const buckets = t.bucketStart.length - 1;
  if (t.sortedStart.length !== buckets + 1) return 'URL bucket sections differ in length';
  if (!isRangeIndex(t.bucketStart, rules, false)) return 'URL buckets are out of range';
  if (!isRangeIndex(t.sortedStart, t.sorted.length, false)) return 'URL sorted prefixes are out of range';
  for (let b = 0; b < buckets; b++) {
    for (let i = t.sortedStart[b]!; i < t.sortedStart[b + 1]!; i++) {
      if (t.sorted[i]! < t.bucketStart[b]! || t.sorted[i]! >= t.bucketStart[b + 1]!) return `URL bucket ${b} has a sorted prefix out of range`;
    }
  }
  const problem = validateTable(t.hosts, 1);
  if (problem !== null) return `URL host ${problem}`;
  const { meta, node, chainData } = t.hosts;
  for (let slot = 0; slot < meta.length; slot++) {
    const tag = meta[slot]! & 0xffff;
    if (meta[slot] !== 0 && tag !== NO_RULE && tag !== CHAINED && node[slot * 3 + 2]! >= buckets) return `URL host slot ${slot} names a bucket out of range`;
  }
  for (let i = 0; i < chainData.length; i++) if (chainData[i]! >= buckets) return `URL host chain entry ${i} names a bucket out of range`;
  return null;
}
