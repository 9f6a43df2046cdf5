/**
 * classifier: Target → Classification, built once per list snapshot from a
 * ClassifierInput or from a CompiledIndex (compiled here, or loaded from an
 * index file by index-file.ts). Owns the order of a result (domain matches,
 * most specific host first; then URL-prefix matches; then keyword matches),
 * the trusted-site rule (a trusted host, or a subdomain of one, drops keyword
 * matches and matches from `imported` lists; the council's `local` domain
 * and URL lists still apply), and the LRU cache of what is known per host.
 *
 * Keyword RuleMatches are built and frozen once, at build time; URL ones
 * the first time their host is looked up (url-index.ts), so opening an
 * index does no work per URL rule.
 * Domain RuleMatches are built on a hit from the domain table's (source,
 * line) rule and the matched suffix of the host: keeping one object per
 * domain would cost ~150 bytes a domain at UT1 scale (4.6M domains), and a
 * miss still allocates nothing. A Classification is frozen, because the
 * same object is handed to every request whose path adds no match. The
 * cache is keyed by host alone (never the port or the path: the domain walk
 * and the trusted check depend on the host only; URL-prefix and keyword
 * rules run on every request). Pure and synchronous; classify() never
 * throws on a Target built by normalise-url.
 */
import { LRUCache } from 'lru-cache';
import { WfError } from '../errors.ts';
import { UNCATEGORISED, type Classification, type ClassifyTrace, type RuleKind, type RuleMatch } from './classification.ts';
import { CompiledIndex, compileIndex, type IndexedList } from './compiled-index.ts';
import { createHostSet } from './domain-index.ts';
import { HostSuffixes } from './host-suffixes.ts';
import { KeywordMatcher } from './keyword-matcher.ts';
import type { ClassifierInput } from './list-input.ts';
import type { Target } from './target.ts';
import { UrlPrefixIndex } from './url-index.ts';
import { charsToString } from './url-table.ts';

export interface ClassifierStats {
  /** Domain rules indexed (including URL entries without a path), after de-duplication. */
  readonly domains: number;
  readonly urls: number;
  readonly keywords: number;
  readonly lists: number;
}

export interface Classifier {
  /** Fills `trace.cache` with 'hit' or 'miss' when a trace is given. */
  classify(target: Target, trace?: ClassifyTrace): Classification;
  readonly stats: ClassifierStats;
}

export interface ClassifierOptions {
  /** Most hosts kept in the LRU cache (entries); 0 turns the cache off. */
  cacheSize: number;
  /**
   * Longest host (in characters) worth caching; longer ones are classified
   * every time. Default 1024 bounds the cache's keys at roughly cacheSize × 2 KiB.
   */
  maxCachedKeyLength?: number;
}

const DEFAULT_MAX_CACHED_KEY_LENGTH = 1024;

/** Shared result for a trusted host that no local list matched. */
const TRUSTED_CLEAN: Classification = Object.freeze({
  categories: UNCATEGORISED.categories,
  matches: UNCATEGORISED.matches,
  trusted: true,
});

/** The facts of a host no rule names (most hosts): shared, so a miss allocates nothing. */
const NOTHING_KNOWN: HostFacts = Object.freeze({ trusted: false, domainMatches: Object.freeze([]) as readonly RuleMatch[], hostOnly: UNCATEGORISED, hasUrlRules: false });

/** What a domain rule's RuleMatch shares with every other rule from the same list file. */
interface DomainTemplate {
  readonly category: string;
  readonly list: string;
  readonly file: string;
  readonly grantable: boolean;
  readonly source: IndexedList['source'];
}

function ruleMatch(list: IndexedList, kind: RuleKind, entry: string, file: string, line: number): RuleMatch {
  // Property order is what `wardgate classify` prints: keep it.
  return Object.freeze({ category: list.category, list: list.id, kind, entry, file, line, grantable: list.grantable, source: list.source });
}

function validateOptions(options: ClassifierOptions): number {
  const { cacheSize, maxCachedKeyLength = DEFAULT_MAX_CACHED_KEY_LENGTH } = options;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
    throw new WfError('WF_ERR_CONFIG_INVALID', `classifier cacheSize must be a non-negative integer, got ${String(cacheSize)}`);
  }
  if (!Number.isSafeInteger(maxCachedKeyLength) || maxCachedKeyLength < 1) {
    throw new WfError('WF_ERR_CONFIG_INVALID', `classifier maxCachedKeyLength must be a positive integer, got ${String(maxCachedKeyLength)}`);
  }
  return maxCachedKeyLength;
}

/**
 * Returns a classifier over `source`: a ClassifierInput (compiled here) or a
 * CompiledIndex (compileIndex(), or loadIndex() from an index file).
 * Throws WF_ERR_CONFIG_INVALID for bad options and WF_ERR_LIST_INVALID for
 * an input that cannot be indexed; never throws afterwards.
 */
/** What the classifier knows about a host whatever the path: cached per host. */
interface HostFacts {
  readonly trusted: boolean;
  readonly domainMatches: readonly RuleMatch[];
  /** The classification when the path adds nothing (shared, frozen). */
  readonly hostOnly: Classification;
  /** Whether any URL-prefix rule names this host or a parent (else the path lookup is skipped). */
  readonly hasUrlRules: boolean;
}

export function createClassifier(source: ClassifierInput | CompiledIndex, options: ClassifierOptions): Classifier {
  const maxKeyLength = validateOptions(options);
  const index = source instanceof CompiledIndex ? source : compileIndex(source);
  const { lists, domains } = index;
  const templates: DomainTemplate[] = index.sources.map(({ list, file }) => {
    const meta = lists[list]!;
    return { category: meta.category, list: meta.id, file, grantable: meta.grantable, source: meta.source };
  });
  const urlTable = index.urls;
  const urls = new UrlPrefixIndex(urlTable, (r) => {
    const { list, file } = index.sources[urlTable.source[r]!]!;
    const entry = charsToString(urlTable.entryChars, urlTable.entryStart[r]!, urlTable.entryStart[r + 1]!);
    return ruleMatch(lists[list]!, 'url', entry, file, urlTable.line[r]!);
  });
  const keywords = new KeywordMatcher(
    index.keywords.map((k) => ({ words: k.words, prefix: k.prefix, match: ruleMatch(lists[k.list]!, 'keyword', k.entry, k.file, k.line) })),
    index.exceptionWords,
  );
  const trusted = createHostSet(index.trustedHosts);
  // Cached per host: the domain walk and the trusted check, the costly part (random reads over the
  // table). URL-prefix and keyword rules depend on the path and are cheap, so they run every time.
  // A whole-URL key (host + path) measured 3× slower than no cache on a stream of mostly unique
  // paths (the key concatenation and LRU churn cost more than the walk they saved).
  const cache = options.cacheSize > 0 ? new LRUCache<string, HostFacts>({ max: options.cacheSize }) : null;
  const scratch: RuleMatch[] = [];

  const suffixes = new HostSuffixes();

  const hostFacts = (host: string, isIp: boolean): HostFacts => {
    // One hashing pass for the three tables walked (see host-suffixes.ts).
    const s = suffixes.of(host, isIp);
    const count = domains.matchSuffixes(s);
    const isTrusted = trusted.hasSuffixes(s);
    const hasUrlRules = urls.hasHostSuffixes(s);
    // Most hosts match nothing: one shared answer, no allocation (the uncached path's garbage was
    // mostly these, and the GC pauses with it).
    if (count === 0 && !isTrusted && !hasUrlRules) return NOTHING_KNOWN;
    const found: RuleMatch[] = [];
    for (let i = 0; i < count; i++) {
      const t = templates[domains.ruleTag(i)]!;
      const entry = host.slice(domains.ruleStart(i));
      found.push(Object.freeze({ category: t.category, list: t.list, kind: 'domain', entry, file: t.file, line: domains.ruleData(i), grantable: t.grantable, source: t.source }));
    }
    return { trusted: isTrusted, domainMatches: found, hostOnly: toClassification(found, isTrusted), hasUrlRules };
  };

  const compute = (target: Target, facts: HostFacts): Classification => {
    scratch.length = 0;
    if (facts.hasUrlRules) urls.lookup(target.host, target.isIp, target.matchPath, scratch);
    if (!facts.trusted) keywords.scan(target.matchPath, scratch);
    if (scratch.length === 0) return facts.hostOnly;
    const all = facts.domainMatches.length === 0 ? scratch : [...facts.domainMatches, ...scratch];
    const result = toClassification(all, facts.trusted);
    scratch.length = 0;
    return result;
  };

  const classify = (target: Target, trace?: ClassifyTrace): Classification => {
    if (cache === null || target.host.length > maxKeyLength) {
      if (trace !== undefined) trace.cache = 'miss';
      return compute(target, hostFacts(target.host, target.isIp));
    }
    let facts = cache.get(target.host);
    if (facts === undefined) {
      if (trace !== undefined) trace.cache = 'miss';
      facts = hostFacts(target.host, target.isIp);
      cache.set(target.host, facts);
    } else if (trace !== undefined) {
      trace.cache = 'hit';
    }
    return compute(target, facts);
  };

  const stats: ClassifierStats = Object.freeze({
    domains: domains.ruleCount,
    urls: urls.size,
    keywords: keywords.size,
    lists: lists.length,
  });
  return Object.freeze({ classify, stats });
}

/** Copies the found matches into a frozen Classification (imported ones dropped on a trusted host). */
function toClassification(found: readonly RuleMatch[], trusted: boolean): Classification {
  if (found.length === 0) return trusted ? TRUSTED_CLEAN : UNCATEGORISED;
  const matches: RuleMatch[] = [];
  const categories: string[] = [];
  for (let i = 0; i < found.length; i++) {
    const match = found[i]!;
    if (trusted && match.source === 'imported') continue;
    matches.push(match);
    if (!categories.includes(match.category)) categories.push(match.category);
  }
  if (matches.length === 0) return trusted ? TRUSTED_CLEAN : UNCATEGORISED;
  return Object.freeze({ categories: Object.freeze(categories), matches: Object.freeze(matches), trusted });
}
