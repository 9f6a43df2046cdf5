/**
 * domain-index bench: the compact domain index at real scale, on the full
 * UT1 adult list (4.64M domains) from ../shared/data.
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx bench/classify/domain-index.bench.ts
 *
 * Reports, in one run: entries; gunzip and parse time (parseDomainList, a
 * bare line loop, and canonicalHost alone, to show where parsing goes);
 * build time per domain (compileIndex from the parsed entries); retained
 * heap+external bytes per domain of the built index; serialise time and file
 * size; then, in a fresh process, file read, loadIndex (with and without the
 * checksum) and classifier creation time and the retained bytes per domain
 * of the loaded index; and DomainTable.match and uncached classify rates for
 * hits and misses on one core. Rates and build time are given per wall
 * second and per CPU second of this process: these 2-core VMs are shared,
 * and the load average is recorded with the results. Writes
 * bench/results/domain-index.json. Never run by the tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createClassifier } from '../../src/classify/classifier.ts';
import { compileIndex, type CompiledIndex } from '../../src/classify/compiled-index.ts';
import { isIpHost } from '../../src/classify/domain-table-builder.ts';
import { loadIndex, serialiseIndex } from '../../src/classify/index-file.ts';
import type { ClassifierInput } from '../../src/classify/list-input.ts';
import { canonicalHost, normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Target } from '../../src/classify/target.ts';
import { parseDomainList } from '../../src/lists/parse-list.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const LIST = path.join(ROOT, '../shared/data/blocklists/ut1/adult/domains.gz');
const gc = (globalThis as { gc?: () => void }).gc;

const now = (): bigint => process.hrtime.bigint();
const ms = (from: bigint): number => Number(now() - from) / 1e6;
/** CPU time of this process since `from`, in ms. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

function retained(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

interface Rate {
  /** Operations per wall-clock second. */
  readonly wall: number;
  /** Operations per CPU second of this process (what one unshared core does). */
  readonly cpu: number;
}

/** Runs `fn` over `items` in rounds for at least `minMs`. */
function rate<T>(items: readonly T[], fn: (item: T) => number, minMs = 2000): Rate {
  let sink = 0;
  for (let i = 0; i < Math.min(items.length, 50_000); i++) sink += fn(items[i]!); // warm-up
  let ops = 0;
  const start = now();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < items.length; i++) sink += fn(items[i]!);
    ops += items.length;
    elapsed = ms(start);
  }
  const cpu = cpuMs(cpuStart);
  if (sink === -1) console.log('');
  return { wall: Math.round((ops / elapsed) * 1000), cpu: Math.round((ops / cpu) * 1000) };
}
const show = (r: Rate): string => `${r.wall}/s (${r.cpu}/s of CPU)`;

/** `--load FILE ENTRIES`: a fresh process loads the index file and reports time and memory as JSON. */
function loadOnly(file: string): void {
  const base = retained();
  const t0 = now();
  const bytes = readFileSync(file);
  const readFileMs = ms(t0);
  const t1 = now();
  const c1 = process.cpuUsage();
  const loaded = loadIndex(bytes);
  const loadMs = ms(t1);
  const loadCpuMs = cpuMs(c1);
  const t2 = now();
  const classifier = createClassifier(loaded.index, { cacheSize: 0 });
  const classifierMs = ms(t2);
  const retainedBytes = retained() - base;
  const t3 = now();
  loadIndex(bytes, { verifyChecksum: false });
  const loadNoChecksumMs = ms(t3);
  const probe = classifier.classify(normaliseUrl('http://www.pornhub.com/')).matches.length;
  console.log(JSON.stringify({ readFileMs, loadMs, loadCpuMs, loadNoChecksumMs, classifierMs, retainedBytes, probe }));
}

function main(): void {
  const loadAvgBefore = os.loadavg().map((x) => round(x, 2));
  // Read and parse.
  let t = now();
  let text: string | null = gunzipSync(readFileSync(LIST)).toString('utf8');
  const gunzipMs = ms(t);
  t = now();
  let lines = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) lines++;
    start = end + 1;
  }
  const lineLoopMs = ms(t);
  const sample = text.slice(0, text.indexOf('\n', 4_000_000)).split('\n');
  t = now();
  for (const line of sample) canonicalHost(line);
  const canonicalNsPerLine = Number(now() - t) / sample.length;
  t = now();
  const parsed = parseDomainList(text, 'adult/domains');
  const parseMs = ms(t);
  text = null;
  const entries = parsed.entries;
  const n = entries.length;
  console.log(`entries ${n} (lines ${lines}, skipped ${parsed.diagnostics.length}); gunzip ${round(gunzipMs)} ms, line loop ${round(lineLoopMs)} ms, parseDomainList ${round(parseMs)} ms = ${round((parseMs * 1e6) / n)} ns/line, of which canonicalHost ~${round(canonicalNsPerLine)} ns/line`);

  // Build from the parsed entries.
  const input: ClassifierInput = {
    lists: [{ id: 'pornography', category: 'pornography', grantable: true, source: 'imported', domains: entries, urls: [], keywords: [] }],
    trustedHosts: [],
    exceptionWords: [],
  };
  const before = retained();
  t = now();
  const buildCpuStart = process.cpuUsage();
  const index: CompiledIndex = compileIndex(input);
  const buildMs = ms(t);
  const buildCpuMs = cpuMs(buildCpuStart);
  const builtBytes = retained() - before;
  const table = index.domains;
  const { nodeCount, capacity, labels } = table.arrays;
  console.log(`build ${round(buildMs)} ms = ${round((buildMs * 1e6) / n)} ns/domain (CPU ${round((buildCpuMs * 1e6) / n)} ns/domain); retained ${round(builtBytes / n, 2)} B/domain (arrays ${round(table.byteLength / n, 2)}); ${nodeCount} nodes in ${capacity} slots (load ${round(nodeCount / capacity, 3)}), ${labels.length} label bytes`);

  // Lookups: hits (entries, and subdomains of entries) and misses (names not listed).
  let seed = 42;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const word = (len: number): string => {
    let w = '';
    for (let i = 0; i < len; i++) w += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rand() * 36)];
    return w;
  };
  const hitHosts: string[] = [];
  const missHosts: string[] = [];
  const tlds = ['com', 'net', 'org', 'co.uk', 'gov.uk', 'de', 'blogspot.com', 'tumblr.com'];
  for (let i = 0; i < 200_000; i++) {
    const host = entries[Math.floor(rand() * n)]!.host;
    hitHosts.push(i % 2 === 0 || isIpHost(host) ? host : `${word(3)}.${host}`);
    missHosts.push(i % 4 === 0 ? `www.${word(8)}.${tlds[i % 8]!}` : `${word(4 + (i % 9))}-${word(5)}.${tlds[i % 8]!}`);
  }
  const hitIp = hitHosts.map(isIpHost);
  let hitsFound = 0;
  let missesFound = 0;
  for (let i = 0; i < hitHosts.length; i++) if (table.match(hitHosts[i]!, hitIp[i]!) > 0) hitsFound++;
  for (const h of missHosts) if (table.match(h, false) > 0) missesFound++;
  const matchHits = rate(hitHosts.map((_, i) => i), (i) => table.match(hitHosts[i]!, hitIp[i]!));
  const matchMisses = rate(missHosts, (h) => table.match(h, false));
  console.log(`DomainTable.match: hits ${show(matchHits)} (${hitsFound}/${hitHosts.length} found), misses ${show(matchMisses)} (${missesFound} of them listed)`);
  const classifier = createClassifier(index, { cacheSize: 0 });
  const targets = (hosts: string[]): Target[] => hosts.slice(0, 100_000).map((h) => normaliseUrl(`http://${h}/index.html`));
  const classifyHits = rate(targets(hitHosts), (target) => classifier.classify(target).matches.length);
  const classifyMisses = rate(targets(missHosts), (target) => classifier.classify(target).matches.length);
  console.log(`classify, uncached (domain rules only): hits ${show(classifyHits)}, misses ${show(classifyMisses)}`);

  // Serialise, write; load in a fresh process.
  t = now();
  const file = serialiseIndex(index, JSON.stringify({ list: 'ut1/adult/domains.gz', bench: true }));
  const serialiseMs = ms(t);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wardgate-bench-'));
  const filePath = path.join(dir, 'index.wgi');
  writeFileSync(filePath, file);
  let load: { readFileMs: number; loadMs: number; loadCpuMs: number; loadNoChecksumMs: number; classifierMs: number; retainedBytes: number; probe: number };
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--load', filePath], { cwd: ROOT, encoding: 'utf8' });
    load = JSON.parse(out.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`serialise ${round(serialiseMs)} ms, file ${file.length} B (${round(file.length / n, 2)} B/domain); fresh process: readFile ${round(load.readFileMs)} ms, loadIndex ${round(load.loadMs)} ms (CPU ${round(load.loadCpuMs)} ms; ${round(load.loadNoChecksumMs)} ms without the checksum), createClassifier ${round(load.classifierMs)} ms, retained ${round(load.retainedBytes / n, 2)} B/domain`);

  const results = {
    scenario: 'domain-index',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAvgBefore,
    loadAvgAfter: os.loadavg().map((x) => round(x, 2)),
    list: 'ut1/adult/domains.gz',
    entries: n,
    gunzipMs: round(gunzipMs),
    lineLoopMs: round(lineLoopMs),
    parseMs: round(parseMs),
    parseNsPerLine: round((parseMs * 1e6) / n),
    canonicalHostNsPerLine: round(canonicalNsPerLine),
    buildMs: round(buildMs),
    buildNsPerDomain: round((buildMs * 1e6) / n),
    buildCpuNsPerDomain: round((buildCpuMs * 1e6) / n),
    builtBytesPerDomain: round(builtBytes / n, 2),
    tableBytesPerDomain: round(table.byteLength / n, 2),
    nodes: nodeCount,
    slots: capacity,
    labelBytes: labels.length,
    serialiseMs: round(serialiseMs),
    fileBytes: file.length,
    loadReadFileMs: round(load.readFileMs),
    loadIndexMs: round(load.loadMs),
    loadIndexCpuMs: round(load.loadCpuMs),
    loadIndexNoChecksumMs: round(load.loadNoChecksumMs),
    loadCreateClassifierMs: round(load.classifierMs),
    loadedBytesPerDomain: round(load.retainedBytes / n, 2),
    matchHitsPerSec: matchHits,
    matchMissesPerSec: matchMisses,
    classifyUncachedHitsPerSec: classifyHits,
    classifyUncachedMissesPerSec: classifyMisses,
  };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/domain-index.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote bench/results/domain-index.json (load average ${loadAvgBefore.join(' ')} → ${results.loadAvgAfter.join(' ')})`);
}

if (gc === undefined) {
  console.error('run with --expose-gc: memory per domain is measured between forced collections');
  process.exit(2);
}
const loadFlag = process.argv.indexOf('--load');
if (loadFlag !== -1) {
  loadOnly(process.argv[loadFlag + 1]!);
} else if (!existsSync(LIST)) {
  console.log(`skipped: ${LIST} is absent (the shared UT1 data pack is needed for this bench)`);
} else {
  main();
}
