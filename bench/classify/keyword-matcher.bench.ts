/**
 * keyword-matcher bench: KeywordMatcher.scan on URL paths with and without
 * keywords, for pattern sets from the shipped council lists (a few hundred
 * keywords, phrases and prefixes, with the place-name exceptions) up to
 * 100,000 synthetic patterns; with ../shared/data, the LDNOOBW English word
 * list too.
 *
 *   npm run bench:keywords [-- --reps 5 --min-ms 300]
 *
 * Texts (each set 20,000 seeded matchPaths, lower case as Target.matchPath
 * is): `plain` (ordinary paths and queries, no keyword), `keywords` (paths
 * and queries made of keywords, phrases and near-misses), `places` (the
 * exception place names: `/essex/middlesex-news`), `long-query` (~600
 * characters of tracking parameters), `root` (`/`). Reported per pattern set
 * and text set: median CPU ns per scan over `reps` repetitions, MB/s of
 * text, and matches per scan (so a matcher that finds nothing cannot look
 * fast). Writes bench/results/keyword-matcher.json. Never run by the tests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { RuleMatch } from '../../src/classify/classification.ts';
import { KeywordMatcher, type KeywordPattern } from '../../src/classify/keyword-matcher.ts';
import { loadCategories } from '../../src/lists/load-categories.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';
import { CATEGORIES_DIR, ROOT } from './bench-lists.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, 'min-ms': { type: 'string', default: '300' }, out: { type: 'string' } } });
const REPS = Math.min(Math.max(Number(values.reps), 1), 20);
const MIN_MS = Math.min(Math.max(Number(values['min-ms']), 50), 5000);
const RESULT_FILE = values.out ?? path.join(ROOT, 'bench/results/keyword-matcher.json');
const LDNOOBW = path.resolve(ROOT, '../shared/data/blocklists/ldnoobw/en.gz');
const log = (msg: string): void => console.error(`[keyword-matcher] ${msg}`);
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const match = (entry: string): RuleMatch => ({ category: 'bench', list: 'bench', kind: 'keyword', entry, file: 'bench/keywords', line: 1, grantable: true, source: 'local' });
const toPattern = (entry: string): KeywordPattern => {
  const prefix = entry.endsWith('*');
  const words = (prefix ? entry.slice(0, -1) : entry).split(' ').filter((w) => w.length > 0);
  return { words, prefix, match: match(entry) };
};

// ---- pattern sets ----------------------------------------------------------------------------
const shipped = await loadCategories(CATEGORIES_DIR);
const shippedPatterns: KeywordPattern[] = shipped.input.lists.flatMap((l) => l.keywords.map((k) => ({ words: k.words, prefix: k.prefix, match: match(k.entry) })));
const exceptions = shipped.input.exceptionWords;

const rand = mulberry32(11);
const int = (n: number): number => Math.floor(rand() * n);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const word = (min: number, max: number): string => {
  let w = '';
  for (let i = min + int(max - min + 1); i > 0; i--) w += LETTERS[int(26)];
  return w;
};
/** Synthetic patterns: 70% words, 20% two- or three-word phrases, 10% prefixes, lengths 3–10. */
function synthetic(count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const r = rand();
    if (r < 0.7) out.add(word(3, 10));
    else if (r < 0.9) out.add(Array.from({ length: 2 + int(2) }, () => word(3, 8)).join(' '));
    else out.add(`${word(3, 7)}*`);
  }
  return [...out];
}
const sets: { name: string; patterns: KeywordPattern[]; entries: string[] }[] = [
  { name: `shipped (${shippedPatterns.length})`, patterns: shippedPatterns, entries: shippedPatterns.map((p) => p.match.entry) },
];
if (existsSync(LDNOOBW)) {
  const words = gunzipSync(readFileSync(LDNOOBW)).toString('utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => /^[\p{L}\p{M}\p{N}' ]+$/u.test(l));
  const patterns = [...new Set(words)].map(toPattern).filter((p) => p.words.length > 0);
  sets.push({ name: `ldnoobw-en (${patterns.length})`, patterns, entries: patterns.map((p) => p.match.entry) });
} else {
  log(`${LDNOOBW} is absent: the LDNOOBW set is skipped`);
}
for (const count of [10_000, 100_000]) {
  const entries = synthetic(count);
  sets.push({ name: `synthetic (${count})`, patterns: entries.map(toPattern), entries });
}

// ---- texts -----------------------------------------------------------------------------------
const PATH_WORDS = ['news', 'images', 'static', 'api', 'v1', 'user', 'login', 'search', 'article', '2025', 'assets', 'js', 'css', 'img', 'video', 'watch', 'blog', 'post', 'tag', 'category', 'council', 'planning', 'meeting', 'minutes', 'agenda', 'index.html', 'main.js', 'logo.png'];
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
function plainPath(): string {
  let p = '';
  for (let i = 1 + int(5); i > 0; i--) p += `/${pick(PATH_WORDS)}`;
  const q = rand();
  if (q < 0.3) p += `?id=${int(100000)}`;
  else if (q < 0.5) p += `?q=${pick(PATH_WORDS)}+${pick(PATH_WORDS)}&page=${int(20)}`;
  return p;
}
function keywordPath(entries: readonly string[]): string {
  const k = (): string => {
    const e = pick(entries);
    return (e.endsWith('*') ? `${e.slice(0, -1)}${word(0, 3)}` : e).replace(/ /g, pick(['-', '+', '/', '_']));
  };
  switch (int(4)) {
    case 0:
      return `/search?q=free+${k()}+${k()}+videos&safe=off`;
    case 1:
      return `/tags/${k()}-${pick(PATH_WORDS)}-${k()}/page/${int(50)}`;
    case 2:
      return `/${pick(PATH_WORDS)}/${k()}.html`;
    default:
      return `/best-${k()}-sites-${2020 + int(6)}.html`;
  }
}
const placePath = (): string => `/${pick(exceptions)}/${pick(exceptions)}-${pick(PATH_WORDS)}?area=${pick(exceptions)}`;
const longQuery = (): string => `${plainPath()}?utm_source=newsletter&utm_medium=email&utm_campaign=${word(8, 12)}&fbclid=${word(40, 60)}&gclid=${word(30, 40)}&${Array.from({ length: 12 }, () => `${word(3, 8)}=${word(5, 20)}`).join('&')}&ref=${pick(PATH_WORDS)}`;

const TEXTS = 20_000;
const texts = (make: () => string): string[] => Array.from({ length: TEXTS }, make);

// ---- measure ---------------------------------------------------------------------------------
interface Cell {
  readonly nsPerScan: number;
  readonly mbPerSec: number;
  readonly matchesPerScan: number;
  readonly avgChars: number;
}
function measure(matcher: KeywordMatcher, items: readonly string[]): Cell {
  const out: RuleMatch[] = [];
  let found = 0;
  for (const t of items) {
    out.length = 0;
    found += matcher.scan(t, out);
  }
  const chars = items.reduce((s, t) => s + t.length, 0);
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = Date.now();
    let scans = 0;
    do {
      for (let i = 0; i < items.length; i++) {
        out.length = 0;
        matcher.scan(items[i]!, out);
      }
      scans += items.length;
    } while (Date.now() - t0 < MIN_MS);
    const c = process.cpuUsage(c0);
    samples.push(((c.user + c.system) * 1000) / scans);
  }
  const ns = median(samples);
  return { nsPerScan: round(ns), mbPerSec: round(chars / items.length / ns * 1000, 1), matchesPerScan: round(found / items.length, 2), avgChars: round(chars / items.length) };
}

const loadBefore = os.loadavg().map((x) => round(x, 2));
const results: Record<string, { buildMs: number; texts: Record<string, Cell> }> = {};
for (const set of sets) {
  const t0 = process.hrtime.bigint();
  const matcher = new KeywordMatcher(set.patterns, exceptions);
  const buildMs = round(Number(process.hrtime.bigint() - t0) / 1e6);
  const textSets: Record<string, string[]> = {
    plain: texts(plainPath),
    keywords: texts(() => keywordPath(set.entries)),
    places: texts(placePath),
    'long-query': texts(longQuery),
    root: texts(() => '/'),
  };
  const row: Record<string, Cell> = {};
  for (const [name, items] of Object.entries(textSets)) row[name] = measure(matcher, items);
  results[set.name] = { buildMs, texts: row };
  log(`${set.name}: build ${buildMs} ms; ${Object.entries(row).map(([k, c]) => `${k} ${c.nsPerScan} ns (${c.mbPerSec} MB/s, ${c.matchesPerScan} matches)`).join('; ')}`);
}
const result = {
  benchmark: 'keyword-matcher',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version, loadAvgBefore: loadBefore, loadAvgAfter: os.loadavg().map((x) => round(x, 2)) },
  method: `median of ${REPS} repetitions of at least ${MIN_MS} ms each, CPU time of this process per scan; ${TEXTS} texts per set`,
  exceptionWords: exceptions.length,
  results,
};
writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
log(`written to ${path.relative(ROOT, RESULT_FILE)}`);
