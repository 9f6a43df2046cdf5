/**
 * classify-throughput: uncached and cached classifications per second on one
 * core, for the realistic mixed URL stream (mixed-stream.ts), against the full
 * UT1 index as a deployment has it (bench-lists.ts: imported with `wardgate
 * lists import`, compiled with `lists compile`, loaded from the index file,
 * plus the shipped council lists), or a synthetic 1M-domain index when
 * ../shared/data is absent.
 *
 *   npm run bench:classify [-- --n 1000000 --rounds 3 --seed 1 --synthetic] [-- --urls-per-site 250 --out FILE]
 *
 * `--urls-per-site` (default 5) sets how many URLs the stream has per site
 * on average: 5 gives the crawler-like default (≈141,000 hosts in 1,000,000
 * URLs, more than the default cache holds); 250 gives a council's browsing
 * day (≈4,000 hosts), where the cache and the index slots stay in the CPU
 * caches.
 *
 * The stream is normalised to Targets first; a "classification" is one
 * `classifier.classify(target)` (what the proxy calls per request, after
 * parsing). The proxy classifies a Target it has just built, so the
 * headline figures take the stream in chunks of 512 whose strings are read
 * (untimed) before the chunk is classified (timed); the same passes with
 * every Target read cold from the 500,000-entry array are reported too
 * (`…ColdInput`). Each round measures, back to back so the ratios share the
 * machine's state:
 * - uncached: `cacheSize: 0` — domain walk, trusted check, URL-prefix and
 *   keyword rules on every request; overall, and per stream kind;
 * - cached: the proxy's default `cacheSize` (100,000 hosts), one pass from
 *   an empty cache (cold, with the stream's real hit ratio), then warm passes
 *   (every host cached: the per-host facts reused, URL/keyword rules still
 *   run per request);
 * - end to end: normaliseUrl + classify (uncached, and cached warm), for
 *   scale.
 * Rates are per wall second and per CPU second of this process (the VM is
 * shared). Targets (issue 3): ≥ 1,000,000 uncached/s, ≥ 5,000,000 cached/s.
 * Writes bench/results/classify-throughput.json. Never run by the tests.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClassifier, type Classifier } from '../../src/classify/classifier.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Target } from '../../src/classify/target.ts';
import { urlRuleCount } from '../../src/classify/url-table.ts';
import type { ClassifyTrace } from '../../src/classify/classification.ts';
import { benchLists, ROOT } from './bench-lists.ts';
import { mixedStream, type StreamKind } from './mixed-stream.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    'cache-size': { type: 'string', default: '100000' },
    synthetic: { type: 'boolean', default: false },
    'min-ms': { type: 'string', default: '1500' },
    'urls-per-site': { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const N = Math.min(Math.max(Number(values.n), 10_000), 5_000_000);
const ROUNDS = Math.min(Math.max(Number(values.rounds), 1), 10);
const CACHE_SIZE = Number(values['cache-size']);
const MIN_MS = Math.min(Math.max(Number(values['min-ms']), 200), 10_000);
const RESULT_FILE = values.out ?? path.join(ROOT, 'bench/results/classify-throughput.json');
const DEADLINE = Date.now() + 10 * 60_000;

const log = (msg: string): void => console.error(`[classify-throughput] ${msg}`);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const now = (): bigint => process.hrtime.bigint();
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Rate {
  /** Operations per wall-clock second. */
  readonly wall: number;
  /** Operations per CPU second of this process. */
  readonly cpu: number;
}

let sink = 0;
/** Chunk of inputs brought into cache before its timed pass (hot mode). */
const CHUNK = 512;

/**
 * Passes of `fn` over `items` until at least `minMs` have gone (one pass at
 * least). With `touch`, the items are taken in chunks of CHUNK: each chunk's
 * strings are read first (untimed), then the chunk is classified (timed), so
 * the input is in cache as it is in the proxy, which classifies a Target it
 * has just built. Without it, every input comes cold from a 500,000-entry
 * array; on the full UT1 stream the two measured within noise of each other
 * (the index's own random reads dominate), so both are reported. The CPU
 * rate in hot mode is the timed rate scaled by the share of a CPU the
 * process got over the whole measurement.
 */
function rate<T>(items: readonly T[], fn: (item: T) => number, minMs = MIN_MS, touch?: (item: T) => number): Rate {
  let ops = 0;
  let timedNs = 0n;
  const start = now();
  const cpuStart = process.cpuUsage();
  let elapsedMs = 0;
  do {
    if (touch === undefined) {
      const t = now();
      for (let i = 0; i < items.length; i++) sink += fn(items[i]!);
      timedNs += now() - t;
    } else {
      for (let from = 0; from < items.length; from += CHUNK) {
        const to = Math.min(from + CHUNK, items.length);
        for (let i = from; i < to; i++) sink += touch(items[i]!);
        const t = now();
        for (let i = from; i < to; i++) sink += fn(items[i]!);
        timedNs += now() - t;
      }
    }
    ops += items.length;
    elapsedMs = Number(now() - start) / 1e6;
  } while (elapsedMs < minMs && Date.now() < DEADLINE);
  const used = process.cpuUsage(cpuStart);
  const cpuShare = Math.min(1, (used.user + used.system) / 1000 / elapsedMs);
  const timedMs = Number(timedNs) / 1e6;
  const wall = (ops / timedMs) * 1000;
  return { wall: Math.round(wall), cpu: Math.round(wall / Math.max(cpuShare, 1e-3)) };
}

const touchString = (s: string): number => {
  let x = 0;
  for (let i = 0; i < s.length; i++) x += s.charCodeAt(i);
  return x;
};
/** Reads what classify() reads of a Target. */
const touchTarget = (t: Target): number => touchString(t.host) + touchString(t.matchPath) + (t.isIp ? 1 : 0);
const show = (r: Rate): string => `${r.wall.toLocaleString('en-GB')}/s (${r.cpu.toLocaleString('en-GB')}/CPU s)`;

const loadBefore = os.loadavg().map((x) => round(x, 2));
const lists = await benchLists({ synthetic: values.synthetic, log });
log(`${lists.kind} index ready in ${lists.setupMs} ms (${lists.dataDir})`);

// Unlisted kinds must miss the domain index: checked with the index itself.
const probe = createClassifier(lists.index, { cacheSize: 0 });
const isListed = (host: string): boolean => {
  let target: Target;
  try {
    target = normaliseUrl(`http://${host}/`);
  } catch {
    return false;
  }
  return probe.classify(target).matches.some((m) => m.kind === 'domain');
};
const t0 = Date.now();
const URLS_PER_SITE = Math.min(Math.max(Number(values['urls-per-site']), 1), 10_000);
const stream = mixedStream(lists.stream, { n: N, seed: Number(values.seed) >>> 0, isListed, urlsPerSite: URLS_PER_SITE });
const targets: Target[] = [];
const targetKinds: StreamKind[] = [];
let badUrls = 0;
for (let i = 0; i < stream.urls.length; i++) {
  try {
    targets.push(normaliseUrl(stream.urls[i]!));
    targetKinds.push(stream.kinds[i]!);
  } catch {
    badUrls++;
  }
}
const distinctHosts = new Set(targets.map((t) => t.host)).size;
log(`stream: ${N} URLs, ${distinctHosts} distinct hosts, ${badUrls} unparseable, built in ${Date.now() - t0} ms`);

// What the stream holds, from one traced uncached pass.
const composition = { withDomainMatch: 0, withUrlMatch: 0, withKeywordMatch: 0, trusted: 0, uncategorised: 0 };
for (const t of targets) {
  const c = probe.classify(t);
  if (c.matches.length === 0) composition.uncategorised++;
  if (c.trusted) composition.trusted++;
  if (c.matches.some((m) => m.kind === 'domain')) composition.withDomainMatch++;
  if (c.matches.some((m) => m.kind === 'url')) composition.withUrlMatch++;
  if (c.matches.some((m) => m.kind === 'keyword')) composition.withKeywordMatch++;
}
const byKind = new Map<StreamKind, Target[]>();
targets.forEach((t, i) => {
  const k = targetKinds[i]!;
  const group = byKind.get(k) ?? [];
  group.push(t);
  byKind.set(k, group);
});

const classifyOf = (c: Classifier) => (t: Target): number => c.classify(t).matches.length;

interface Round {
  /** Inputs in cache (hot mode), as in the proxy: the headline figures. */
  uncached: Rate;
  /** The same, every input read cold from the stream array. */
  uncachedColdInput: Rate;
  cachedWarmColdInput: Rate;
  uncachedByKind: Record<string, Rate>;
  cachedCold: Rate;
  coldHitRatio: number;
  cachedWarm: Rate;
  endToEndUncached: Rate;
  endToEndCachedWarm: Rate;
  normaliseOnly: Rate;
}
const rounds: Round[] = [];
const urls = stream.urls;
for (let r = 0; r < ROUNDS && Date.now() < DEADLINE; r++) {
  const uncachedClassifier = createClassifier(lists.index, { cacheSize: 0 });
  const uncachedFn = classifyOf(uncachedClassifier);
  rate(targets.slice(0, 100_000), uncachedFn, 300); // warm-up
  gc();
  const uncached = rate(targets, uncachedFn, MIN_MS, touchTarget);
  const uncachedColdInput = rate(targets, uncachedFn);
  const uncachedByKind: Record<string, Rate> = {};
  for (const [kind, group] of byKind) uncachedByKind[kind] = rate(group, uncachedFn, Math.max(200, MIN_MS / 5), touchTarget);

  gc();
  const cachedClassifier = createClassifier(lists.index, { cacheSize: CACHE_SIZE });
  const cachedFn = classifyOf(cachedClassifier);
  const cachedCold = rate(targets, cachedFn, 0, touchTarget);
  const cachedWarm = rate(targets, cachedFn, MIN_MS, touchTarget);
  const cachedWarmColdInput = rate(targets, cachedFn);
  // Hit ratio of a cold pass, from a separate traced classifier (the trace costs a little).
  const traced = createClassifier(lists.index, { cacheSize: CACHE_SIZE });
  const trace: ClassifyTrace = {};
  let hits = 0;
  for (const t of targets) {
    traced.classify(t, trace);
    if (trace.cache === 'hit') hits++;
  }
  gc();
  const endToEndUncached = rate(urls, (u) => uncachedClassifier.classify(normaliseUrl(u)).matches.length, MIN_MS, touchString);
  const endToEndCachedWarm = rate(urls, (u) => cachedClassifier.classify(normaliseUrl(u)).matches.length, MIN_MS, touchString);
  const normaliseOnly = rate(urls, (u) => normaliseUrl(u).host.length, MIN_MS, touchString);
  const round_: Round = { uncached, uncachedColdInput, uncachedByKind, cachedCold, cachedWarmColdInput, coldHitRatio: round(hits / targets.length, 3), cachedWarm, endToEndUncached, endToEndCachedWarm, normaliseOnly };
  rounds.push(round_);
  log(`round ${r + 1}: uncached ${show(uncached)} (inputs cold ${show(uncachedColdInput)}); cached cold ${show(cachedCold)} (hit ratio ${round_.coldHitRatio}), warm ${show(cachedWarm)} (inputs cold ${show(cachedWarmColdInput)}); normalise+classify uncached ${show(endToEndUncached)}, cached ${show(endToEndCachedWarm)}; normalise alone ${show(normaliseOnly)}`);
  log(`  by kind (uncached): ${Object.entries(uncachedByKind).map(([k, v]) => `${k} ${v.wall.toLocaleString('en-GB')}`).join(', ')}`);
}

const med = (pick: (r: Round) => Rate): Rate => ({ wall: median(rounds.map((r) => pick(r).wall)), cpu: median(rounds.map((r) => pick(r).cpu)) });
const summary = {
  uncached: med((r) => r.uncached),
  cachedCold: med((r) => r.cachedCold),
  cachedWarm: med((r) => r.cachedWarm),
  uncachedColdInput: med((r) => r.uncachedColdInput),
  cachedWarmColdInput: med((r) => r.cachedWarmColdInput),
  endToEndUncached: med((r) => r.endToEndUncached),
  endToEndCachedWarm: med((r) => r.endToEndCachedWarm),
  normaliseOnly: med((r) => r.normaliseOnly),
  uncachedByKind: Object.fromEntries([...byKind.keys()].map((k) => [k, med((r) => r.uncachedByKind[k]!)])),
};
const result = {
  benchmark: 'classify-throughput',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', node: process.version, loadAvgBefore: loadBefore, loadAvgAfter: os.loadavg().map((x) => round(x, 2)) },
  index: { kind: lists.kind, domains: lists.index.domains.ruleCount, urls: urlRuleCount(lists.index.urls), keywords: lists.index.keywords.length, trustedHosts: lists.index.trustedHosts.length },
  stream: { urls: N, seed: Number(values.seed), urlsPerSite: URLS_PER_SITE, sites: stream.sites, distinctHosts, badUrls, kinds: stream.kindCounts, composition },
  cacheSize: CACHE_SIZE,
  targets: { uncachedPerSec: 1_000_000, cachedPerSec: 5_000_000 },
  met: { uncached: summary.uncached.wall >= 1_000_000, cached: summary.cachedWarm.wall >= 5_000_000 },
  medianOfRounds: summary,
  rounds,
  sink: sink % 7,
};
writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
log(`median of ${rounds.length}: uncached ${show(summary.uncached)}, cached warm ${show(summary.cachedWarm)}, cached cold ${show(summary.cachedCold)}; written to ${path.relative(ROOT, RESULT_FILE)}`);
