/**
 * index-meta: the JSON part of an index file (index-file.ts): everything
 * except the domain and URL tables' arrays, as compact tuples, and the
 * checks that read it back into typed values. Small (UT1 in full has a few
 * hundred keywords and a few dozen lists), so JSON is fast enough and easy
 * to inspect. The URL rules were tuples here until they moved to arrays:
 * 3.2 MB of JSON for UT1's 21,000 rules took 37–79 ms to parse on the
 * thread that serves requests.
 */
import type { WfError } from '../errors.ts';
import type { CompiledIndex, CompiledIndexParts, CompiledKeywordRule, DomainRuleSource, IndexedList } from './compiled-index.ts';
import type { DomainTableArrays } from './domain-table.ts';

/** A DomainTable's arrays, by section name (the URL host table's names carry a `urlHost` prefix). */
export const TABLE_SECTIONS = ['meta', 'node', 'labels', 'chainTag', 'chainData', 'chainNext'] as const;
export const URL_HOST_SECTIONS = ['urlHostMeta', 'urlHostNode', 'urlHostLabels', 'urlHostChainTag', 'urlHostChainData', 'urlHostChainNext'] as const;
const URL_SECTIONS = [
  'urlBucketStart', 'urlSortedStart', 'urlSorted', 'urlPrefixStart', 'urlPrefixChars', 'urlEntryStart', 'urlEntryChars', 'urlSource', 'urlLine',
] as const;
export const SECTION_NAMES = [...TABLE_SECTIONS, ...URL_HOST_SECTIONS, ...URL_SECTIONS] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

interface TableScalars {
  readonly capacity: number;
  readonly nodeCount: number;
  readonly ruleCount: number;
  readonly hashMask: number;
}

export interface ParsedMeta {
  readonly table: TableScalars;
  readonly urlHostTable: TableScalars;
  /** Byte offset and element count of each section. */
  readonly sections: Readonly<Record<SectionName, readonly [number, number]>>;
  readonly parts: Omit<CompiledIndexParts, 'domains' | 'urls'>;
}

function scalars({ capacity, nodeCount, ruleCount, hashMask }: DomainTableArrays): TableScalars {
  return { capacity, nodeCount, ruleCount, hashMask };
}

export function toMeta(index: CompiledIndex, sections: Record<SectionName, [number, number]>): unknown {
  return {
    table: scalars(index.domains.arrays),
    urlHostTable: scalars(index.urls.hosts),
    sections,
    lists: index.lists.map((l) => [l.id, l.category, l.grantable, l.source]),
    sources: index.sources.map((s) => [s.list, s.file]),
    keywords: index.keywords.map((k) => [k.list, k.words, k.prefix, k.entry, k.file, k.line]),
    trustedHosts: index.trustedHosts,
    exceptionWords: index.exceptionWords,
  };
}

type Invalid = (why: string) => WfError;

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isString = (v: unknown): v is string => typeof v === 'string';

function record(raw: unknown, what: string, invalid: Invalid): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`meta ${what} is not an object`);
  return raw as Record<string, unknown>;
}

/** Maps each element of `raw[key]` (an array) with `read`, which returns null for a bad element. */
function tuples<T>(raw: Record<string, unknown>, key: string, invalid: Invalid, read: (t: readonly unknown[]) => T | null): readonly T[] {
  const value = raw[key];
  if (!Array.isArray(value)) throw invalid(`meta ${key} is not an array`);
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const parsed = Array.isArray(item) ? read(item) : null;
    if (parsed === null) throw invalid(`meta ${key}[${i}] is malformed`);
    out.push(Object.freeze(parsed));
  }
  return Object.freeze(out);
}

export function parseMeta(raw: unknown, invalid: Invalid): ParsedMeta {
  const meta = record(raw, 'root', invalid);
  const tableOf = (key: string): TableScalars => {
    const { capacity, nodeCount, ruleCount, hashMask } = record(meta[key], key, invalid);
    if (!isUint(capacity) || !isUint(nodeCount) || !isUint(ruleCount) || !isUint(hashMask)) throw invalid(`meta ${key} is malformed`);
    return { capacity, nodeCount, ruleCount, hashMask };
  };
  const table = tableOf('table');
  const urlHostTable = tableOf('urlHostTable');
  const s = record(meta.sections, 'sections', invalid);
  const sections = {} as Record<SectionName, readonly [number, number]>;
  for (const name of SECTION_NAMES) {
    const pair = s[name];
    if (!Array.isArray(pair) || pair.length !== 2 || !isUint(pair[0]) || !isUint(pair[1])) throw invalid(`meta section ${name} is malformed`);
    sections[name] = [pair[0], pair[1]];
  }
  const lists = tuples<IndexedList>(meta, 'lists', invalid, ([id, category, grantable, source]) =>
    isString(id) && isString(category) && typeof grantable === 'boolean' && (source === 'local' || source === 'imported') ? { id, category, grantable, source } : null,
  );
  const inList = (v: unknown): v is number => isUint(v) && v < lists.length;
  const sources = tuples<DomainRuleSource>(meta, 'sources', invalid, ([list, file]) => (inList(list) && isString(file) ? { list, file } : null));
  const keywords = tuples<CompiledKeywordRule>(meta, 'keywords', invalid, ([list, words, prefix, entry, file, line]) =>
    inList(list) && Array.isArray(words) && words.length > 0 && words.every(isString) && typeof prefix === 'boolean' && isString(entry) && isString(file) && isUint(line)
      ? { list, words: Object.freeze([...(words as string[])]), prefix, entry, file, line }
      : null,
  );
  const strings = (key: string): readonly string[] => {
    const value = meta[key];
    if (!Array.isArray(value) || !value.every(isString)) throw invalid(`meta ${key} is not a list of strings`);
    return Object.freeze([...(value as string[])]);
  };
  return { table, urlHostTable, sections, parts: { lists, sources, keywords, trustedHosts: strings('trustedHosts'), exceptionWords: strings('exceptionWords') } };
}
