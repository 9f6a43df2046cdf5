/**
 * classifier: Target → Classification, compiled once per list snapshot from a
 * ClassifierInput. Owns the order of a result (domain matches, most specific
 * host first; then URL-prefix matches; then keyword matches), the trusted-site
 * rule (a trusted host, or a subdomain of one, drops keyword matches and
 * matches from `imported` lists; the council's `local` domain and URL lists
 * still apply), and the LRU cache of whole classifications.
 *
 * Every RuleMatch is built and frozen at compile time, so a request allocates
 * nothing for them; a Classification is frozen too, because the cache hands
 * the same object to every request that asks. The cache is keyed by host
 * (never the port: it does not change the answer) plus matchPath. Pure and
 * synchronous; classify() never throws on a Target built by normalise-url.
 */
import { LRUCache } from 'lru-cache';
import { WfError } from '../errors.ts';
import { UNCATEGORISED, type Classification, type ClassifyTrace, type RuleKind, type RuleMatch } from './classification.ts';
import { DomainSuffixIndex, createHostSet, type DomainEntry } from './domain-index.ts';
import { KeywordMatcher, type KeywordPattern } from './keyword-matcher.ts';
import type { ClassifierInput, ListInput } from './list-input.ts';
import type { Target } from './target.ts';
import { UrlPrefixIndex, type UrlEntry } from './url-index.ts';

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
  /** Most classifications kept in the LRU cache (entries); 0 turns the cache off. */
  cacheSize: number;
  /**
   * Longest cache key (host + matchPath, in characters) worth caching; longer
   * ones are classified every time. Default 1024: URLs that long are nearly
   * always unique (tokens in the query), and capping them bounds the cache's
   * memory at roughly cacheSize × 2 KiB.
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

interface CompiledRules {
  readonly domains: DomainEntry<RuleMatch>[];
  readonly urls: UrlEntry[];
  readonly keywords: KeywordPattern[];
}

/** Turns every list entry into its frozen RuleMatch, dropping repeats within a list. */
function compileRules(lists: readonly ListInput[]): CompiledRules {
  const rules: CompiledRules = { domains: [], urls: [], keywords: [] };
  for (const list of lists) {
    const seen = new Set<string>();
    const match = (kind: RuleKind, entry: string, file: string, line: number): RuleMatch =>
      Object.freeze({ category: list.category, list: list.id, kind, entry, file, line, grantable: list.grantable, source: list.source });
    const fresh = (key: string): boolean => {
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    for (const d of list.domains) {
      if (fresh(`d ${d.host}`)) rules.domains.push({ host: d.host, value: match('domain', d.host, d.file, d.line) });
    }
    for (const u of list.urls) {
      if (u.pathPrefix.length === 0) {
        if (fresh(`d ${u.host}`)) rules.domains.push({ host: u.host, value: match('domain', u.host, u.file, u.line) });
      } else if (fresh(`u ${u.host}${u.pathPrefix}`)) {
        rules.urls.push({ host: u.host, pathPrefix: u.pathPrefix, match: match('url', u.entry, u.file, u.line) });
      }
    }
    for (const k of list.keywords) {
      if (fresh(`k ${k.words.join(' ')}${k.prefix ? '*' : ''}`)) {
        rules.keywords.push({ words: k.words, prefix: k.prefix, match: match('keyword', k.entry, k.file, k.line) });
      }
    }
  }
  return rules;
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
 * Compiles the lists into indexes and returns a classifier over them.
 * Throws WF_ERR_CONFIG_INVALID for bad options; never throws afterwards.
 */
export function createClassifier(input: ClassifierInput, options: ClassifierOptions): Classifier {
  const maxKeyLength = validateOptions(options);
  const rules = compileRules(input.lists);
  const domains = new DomainSuffixIndex(rules.domains);
  const urls = new UrlPrefixIndex(rules.urls);
  const keywords = new KeywordMatcher(rules.keywords, input.exceptionWords);
  const trusted = createHostSet(input.trustedHosts);
  const cache = options.cacheSize > 0 ? new LRUCache<string, Classification>({ max: options.cacheSize }) : null;
  const scratch: RuleMatch[] = [];

  const compute = (target: Target): Classification => {
    const isTrusted = trusted.has(target.host, target.isIp);
    scratch.length = 0;
    domains.lookup(target.host, target.isIp, scratch);
    urls.lookup(target.host, target.isIp, target.matchPath, scratch);
    if (!isTrusted) keywords.scan(target.matchPath, scratch);
    const result = toClassification(scratch, isTrusted);
    scratch.length = 0;
    return result;
  };

  const classify = (target: Target, trace?: ClassifyTrace): Classification => {
    const key = cache === null ? '' : target.host + target.matchPath;
    if (cache === null || key.length > maxKeyLength) {
      if (trace !== undefined) trace.cache = 'miss';
      return compute(target);
    }
    const cached = cache.get(key);
    if (cached !== undefined) {
      if (trace !== undefined) trace.cache = 'hit';
      return cached;
    }
    if (trace !== undefined) trace.cache = 'miss';
    const result = compute(target);
    cache.set(key, result);
    return result;
  };

  const stats: ClassifierStats = Object.freeze({
    domains: domains.size,
    urls: urls.size,
    keywords: keywords.size,
    lists: input.lists.length,
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
